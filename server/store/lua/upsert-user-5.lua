-- Records a signed-in user on first sight and keeps their handle, name and
-- role current. Handles are unique case-insensitively: a handle held by
-- another user id is refused, and a user who changes handle frees the old one.
-- Display names may be shared, except that a name which had characters nobody
-- sees taken out (ARGV[9] = '1') is refused while another user id holds its
-- normalised form: it would show exactly like that user's name.
-- A token issued at or before the user's erasure (KEYS[5]) records nothing:
-- it would bring the erased account back under the same id, handle and name.
-- The role is the one in the newest token (by iat, a token without one
-- counting as 0): an older token still in use does not bring back a role the
-- host site has since taken away. Its iat is kept in the record (roleIat).
--
-- KEYS[1] user record (hash)   KEYS[2] handle -> user id (hash)   KEYS[3] handles for prefix search (zset)
-- KEYS[4] name index (zset, all scores 0): '<name key>\0<user id>', one member per user record
-- KEYS[5] erasure marker (string: erased at, in seconds; absent unless the user was erased lately)
--
-- ARGV[1] user id   ARGV[2] handle   ARGV[3] handle lower-cased   ARGV[4] name
-- ARGV[5] role      ARGV[6] email or ''   ARGV[7] now (ISO)
-- ARGV[8] name key (the stored name lower-cased)   ARGV[9] '1' if hidden characters were taken out of the name, else '0'
-- ARGV[10] the token's iat in seconds, or '' (a token without one counts as issued before any erasure)
--
-- Returns {'ok', createdAt, the stored role, '1' if the role changed else '0'}  or  {'err', 'handle_taken'}  or  {'err', 'name_lookalike'}  or  {'err', 'erased'}

local erasedAt = redis.call('GET', KEYS[5])
if erasedAt and (ARGV[10] == '' or tonumber(ARGV[10]) <= tonumber(erasedAt)) then return {'err', 'erased'} end

local owner = redis.call('HGET', KEYS[2], ARGV[3])
if owner and owner ~= ARGV[1] then return {'err', 'handle_taken'} end

local mine = ARGV[8] .. '\0' .. ARGV[1]
if ARGV[9] == '1' then
  -- Members sort by name key first; '\0' ends the key, so '\1' bounds exactly its holders.
  local holders = redis.call('ZRANGEBYLEX', KEYS[4], '[' .. ARGV[8] .. '\0', '(' .. ARGV[8] .. '\1', 'LIMIT', 0, 2)
  for _, member in ipairs(holders) do
    if member ~= mine then return {'err', 'name_lookalike'} end
  end
end

local old = redis.call('HGET', KEYS[1], 'handleLower')
if old and old ~= ARGV[3] then
  redis.call('HDEL', KEYS[2], old)
  redis.call('ZREM', KEYS[3], old)
end
if not owner then
  redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
  redis.call('ZADD', KEYS[3], 0, ARGV[3])
end

-- Records from before the name index have no nameKey: nothing of theirs to remove.
local oldName = redis.call('HGET', KEYS[1], 'nameKey')
if oldName and oldName ~= ARGV[8] then redis.call('ZREM', KEYS[4], oldName .. '\0' .. ARGV[1]) end
redis.call('ZADD', KEYS[4], 0, mine)

local created = redis.call('HGET', KEYS[1], 'createdAt')
if not created then created = ARGV[7] end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'handle', ARGV[2], 'handleLower', ARGV[3], 'name', ARGV[4],
  'nameKey', ARGV[8], 'email', ARGV[6], 'createdAt', created, 'updatedAt', ARGV[7])

local oldRole = redis.call('HGET', KEYS[1], 'role')
local iat = tonumber(ARGV[10]) or 0
local roleIat = tonumber(redis.call('HGET', KEYS[1], 'roleIat')) or 0
if not oldRole or iat >= roleIat then
  redis.call('HSET', KEYS[1], 'role', ARGV[5], 'roleIat', tostring(iat))
  return {'ok', created, ARGV[5], (oldRole and oldRole ~= ARGV[5]) and '1' or '0'}
end
return {'ok', created, oldRole, '0'}
