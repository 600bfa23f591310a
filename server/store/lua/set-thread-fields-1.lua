-- Sets thread fields (title, url; settings: locked, slowMode, premod),
-- creating the thread and its epoch if it does not exist yet.
--
-- KEYS[1] thread meta (hash)
-- ARGV[1] epoch to use if the thread is new   ARGV[2..] field, value, field, value, ...
--
-- Returns the epoch

-- @include thread

local epoch = ensure_thread(KEYS[1], ARGV[1])
if #ARGV > 1 then redis.call('HSET', KEYS[1], unpack(ARGV, 2)) end
return epoch
