-- Blanks what a comment says and who wrote it (an erased author's comment):
-- body, mentions, the author's handle and name; the stored JSON is rebuilt
-- from the blanked hash. Run before the status change to `deleted`, so the
-- `comment.removed` event that change publishes carries no name either.
-- Only the author's own comment is touched; running it again changes nothing.
--
-- KEYS[1] the comment (hash)
--
-- ARGV[1] thread id   ARGV[2] the erased author's id
--
-- Returns {'ok'}  or  {'err', 'not_found' | 'not_author'}

-- @include thread

local author = redis.call('HGET', KEYS[1], 'authorId')
if not author then return {'err', 'not_found'} end
if author ~= ARGV[2] then return {'err', 'not_author'} end
redis.call('HSET', KEYS[1], 'body', '', 'mentions', '[]', 'authorHandle', '', 'authorName', '', 'erased', '1')
local offset = tonumber(redis.call('HGET', KEYS[1], 'offset') or '0')
redis.call('HSET', KEYS[1], 'json', comment_json(KEYS[1], ARGV[1], offset, false))
return {'ok'}
