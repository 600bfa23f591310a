-- When two moderators act on one item at nearly the same time, the first
-- wins: a decision by another moderator younger than the window refuses this
-- one, so the second moderator is told what happened instead of silently
-- overriding it. The same moderator may always act again.
local function decided_by_another(comment_key, actor, now, window)
  if actor == '' then return false end
  local by = redis.call('HGET', comment_key, 'decidedBy')
  if not by or by == actor then return false end
  local at = tonumber(redis.call('HGET', comment_key, 'decidedAtMs') or '0')
  return tonumber(now) - at < tonumber(window)
end
