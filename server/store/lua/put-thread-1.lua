-- Creates a thread (with its epoch) or updates its title and url.
--
-- KEYS[1] thread meta (hash)
-- ARGV[1] title   ARGV[2] url   ARGV[3] epoch to use if the thread is new
--
-- Returns {epoch, offset, locked}

-- @include thread

local epoch = ensure_thread(KEYS[1], ARGV[3])
redis.call('HSET', KEYS[1], 'title', ARGV[1], 'url', ARGV[2])
return {epoch, redis.call('HGET', KEYS[1], 'offset'), redis.call('HGET', KEYS[1], 'locked') or '0'}
