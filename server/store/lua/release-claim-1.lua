-- Gives up a claim only if the caller still holds it. A GET then DEL from
-- the client could delete another moderator's claim taken after the
-- caller's had expired.
--
-- KEYS[1] claim (string: JSON {id, handle, until})
-- ARGV[1] moderator id
--
-- Returns {1} when released, {0} when the claim was not the caller's

local current = redis.call('GET', KEYS[1])
if not current then return { 0 } end
local ok, holder = pcall(cjson.decode, current)
if not ok or type(holder) ~= 'table' or holder.id ~= ARGV[1] then return { 0 } end
redis.call('DEL', KEYS[1])
return { 1 }
