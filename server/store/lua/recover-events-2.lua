-- The events a reader missed, each with its comment as readers may see it
-- now: the log keeps only event type and comment id, and each comment is
-- rendered from its hash here (deleted, removed, held: a tombstone without
-- author; edited: the current text). One entry, one event, same offset and
-- type as when it was published; either all of (after, up_to] or nothing.
--
-- The comment hashes are not in KEYS: their ids are only known once the log
-- is read. Their names are ARGV[2] .. id, and ARGV[2] carries the thread's
-- hash tag, so they live in KEYS[2]'s slot (what Redis Cluster requires of a
-- script's keys). Reading them here rather than in a second round trip keeps
-- the answer a single snapshot and lets the byte bound stop the work early.
--
-- KEYS[1] thread meta (hash)   KEYS[2] thread log (stream)
--
-- ARGV[1] thread id   ARGV[2] comment key prefix (`<prefix>{t:<id>}:c:`)
-- ARGV[3] the epoch the caller read   ARGV[4] after offset   ARGV[5] up to offset (inclusive)
-- ARGV[6] most bytes of event JSON to return
--
-- Returns {'ok', event JSON...}   every event in (after, up_to], in offset order
--         {'gone'}                the epoch changed, or an entry or its comment is missing
--         {'too_big'}             the events would exceed ARGV[6] bytes

-- @include thread

local epoch = ARGV[3]
if (redis.call('HGET', KEYS[1], 'epoch') or '') ~= epoch then return {'gone'} end
local after, up_to, max_bytes = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local count = up_to - after
if count <= 0 then return {'ok'} end

local entries = redis.call('XRANGE', KEYS[2], (after + 1) .. '-0', up_to .. '-0', 'COUNT', count)
if #entries ~= count then return {'gone'} end

-- The comment id of an entry. Entries written before the log held references
-- carry the whole comment as JSON: only its id is taken from it.
local function comment_id(fields)
  local id, legacy
  for i = 1, #fields, 2 do
    if fields[i] == 'id' then id = fields[i + 1] elseif fields[i] == 'comment' then legacy = fields[i + 1] end
  end
  if id or not legacy then return id end
  local ok, decoded = pcall(cjson.decode, legacy)
  if ok and type(decoded) == 'table' and type(decoded.id) == 'string' then return decoded.id end
  return nil
end

local out = {'ok'}
-- The JSON array the events travel in: brackets and commas count too.
local bytes = 1
for i, entry in ipairs(entries) do
  local offset = after + i
  if entry[1] ~= offset .. '-0' then return {'gone'} end
  local fields = entry[2]
  local event_type
  for j = 1, #fields, 2 do
    if fields[j] == 'type' then event_type = fields[j + 1] end
  end
  local id = comment_id(fields)
  if not event_type or not id then return {'gone'} end
  local comment_key = ARGV[2] .. id
  local current = redis.call('HGET', comment_key, 'offset')
  if not current then return {'gone'} end
  local event = event_json(ARGV[1], epoch, offset, event_type, comment_json(comment_key, ARGV[1], current, true))
  bytes = bytes + #event + 1
  if bytes > max_bytes then return {'too_big'} end
  out[#out + 1] = event
end
return out
