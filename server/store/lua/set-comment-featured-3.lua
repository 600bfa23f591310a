-- Features or unfeatures a comment. Readers see it as `comment.updated` when
-- the comment is public; featuring a removed or deleted comment is refused.
--
-- KEYS[1] thread meta (hash)   KEYS[2] thread log (stream)   KEYS[3] comment (hash)
-- ARGV[1] thread id   ARGV[2] '1' feature | '0' unfeature   ARGV[3] log max events   ARGV[4] log ttl (s)
-- ARGV[5..7] live channel, message prefix, message suffix   ARGV[8] moderation record (JSON) or ''
-- ARGV[9] deciding moderator's id   ARGV[10] now (ms)   ARGV[11] conflict window (ms)
--
-- Returns {'ok', offset, epoch, json} | {'same', json} | {'err', 'not_found' | 'wrong_status:<status>' | 'decided'}

-- @include thread

local status = redis.call('HGET', KEYS[3], 'status')
if not status then return {'err', 'not_found'} end
if status == 'removed' or status == 'deleted' then return {'err', 'wrong_status:' .. status} end
-- @include moderator-guard
if decided_by_another(KEYS[3], ARGV[9], ARGV[10], ARGV[11]) then return {'err', 'decided'} end
if (redis.call('HGET', KEYS[3], 'featured') or '0') == ARGV[2] then
  return {'same', redis.call('HGET', KEYS[3], 'json')}
end
redis.call('HSET', KEYS[3], 'featured', ARGV[2])
if ARGV[8] ~= '' then redis.call('HSET', KEYS[3], 'moderation', ARGV[8]) end
if ARGV[9] ~= '' then redis.call('HSET', KEYS[3], 'decidedBy', ARGV[9], 'decidedAtMs', ARGV[10]) end
local offset, epoch, json = publish_update(KEYS[1], KEYS[2], KEYS[3], ARGV[1], status, {ARGV[5], ARGV[6], ARGV[7]}, ARGV[3], ARGV[4])
return {'ok', offset, epoch, json}
