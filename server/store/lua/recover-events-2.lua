-- The events a reader missed, each with its comment as readers may see it
-- now: the log keeps only event type and comment id, and each comment is read
-- from its hash here (visible: its stored JSON, which is always the current
-- version; deleted, removed, held: a tombstone without author or text). One
-- entry, one event, same offset and type as when it was published; either
-- all of (after, up_to] or nothing.
--
-- The comment hashes are not in KEYS: their ids are only known once the log
-- is read. Their names are ARGV[2] .. id, and ARGV[2] carries the thread's
-- hash tag, so they live in KEYS[2]'s slot (what Redis Cluster requires of a
-- script's keys). Reading them here rather than in a second round trip keeps
-- the answer one snapshot, and lets the byte bound stop the work early.
--
-- KEYS[1] thread meta (hash)   KEYS[2] thread log (stream)
--
-- ARGV[1] thread id   ARGV[2] comment key prefix (`<prefix>{t:<id>}:c:`)
-- ARGV[3] the epoch the caller read   ARGV[4] after offset   ARGV[5] up to offset (inclusive)
-- ARGV[6] most bytes the events may take as JSON (`{threadId, offset, epoch, type, comment}` each, in an array)
--
-- Returns {'ok', type, comment JSON, type, comment JSON, ...}   offsets after+1, after+2, ... up_to
--         {'gone'}      the epoch changed, or an entry or its comment is missing
--         {'too_big'}   the events would take more than ARGV[6] bytes

-- @include thread

local thread_id, epoch = ARGV[1], ARGV[3]
if (redis.call('HGET', KEYS[1], 'epoch') or '') ~= epoch then return {'gone'} end
local after, up_to, max_bytes = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local count = up_to - after
if count <= 0 then return {'ok'} end

local entries = redis.call('XRANGE', KEYS[2], (after + 1) .. '-0', up_to .. '-0', 'COUNT', count)
if #entries ~= count then return {'gone'} end

-- An entry's type and comment id. Entries written before the log held
-- references carry the whole comment as JSON: only its id is taken from it.
local function read_entry(fields)
  local event_type, id, legacy
  for i = 1, #fields, 2 do
    local name = fields[i]
    if name == 'type' then event_type = fields[i + 1]
    elseif name == 'id' then id = fields[i + 1]
    elseif name == 'comment' then legacy = fields[i + 1] end
  end
  if not id and legacy then
    local ok, decoded = pcall(cjson.decode, legacy)
    if ok and type(decoded) == 'table' and type(decoded.id) == 'string' then id = decoded.id end
  end
  return event_type, id
end

-- Bytes of one event around its comment, but for the offset and type:
-- {"threadId":..,"offset":,"epoch":..,"type":"","comment":} and a comma.
local envelope = #('{"threadId":' .. cjson.encode(thread_id) .. ',"offset":,"epoch":' .. cjson.encode(epoch) ..
  ',"type":"","comment":}') + 1
-- A comment with several events in the range (posted, edited, removed) is read once.
local rendered = {}
local function reader_json(id)
  local json = rendered[id]
  if json then return json end
  local f = redis.call('HMGET', ARGV[2] .. id, 'status', 'json', 'parentId', 'createdAt', 'offset')
  if not f[1] or not f[2] then return nil end
  json = f[2]
  if f[1] ~= 'visible' then json = tombstone_json(id, thread_id, f[3], f[1], f[4], f[5]) end
  rendered[id] = json
  return json
end

local bytes = 1
local out = {'ok'}
for i, entry in ipairs(entries) do
  local offset = after + i
  if entry[1] ~= offset .. '-0' then return {'gone'} end
  local event_type, id = read_entry(entry[2])
  if not event_type or not id then return {'gone'} end
  local json = reader_json(id)
  if not json then return {'gone'} end
  bytes = bytes + envelope + #tostring(offset) + #event_type + #json
  if bytes > max_bytes then return {'too_big'} end
  out[#out + 1] = event_type
  out[#out + 1] = json
end
return out
