-- Lifts a ban only if it is still the one the caller was allowed to lift. A
-- GET then DEL from the client could delete a ban an admin made in between,
-- which a moderator may not lift.
--
-- KEYS[1] ban (string: JSON Ban)
-- ARGV[1] the ban's `at`
-- ARGV[2] the banner's id (`by.id`)
--
-- Returns {1} when lifted, {0} when there is no ban or it is another one

local current = redis.call('GET', KEYS[1])
if not current then return { 0 } end
local ok, ban = pcall(cjson.decode, current)
if not ok or type(ban) ~= 'table' or ban.at ~= ARGV[1] or type(ban.by) ~= 'table' or ban.by.id ~= ARGV[2] then return { 0 } end
redis.call('DEL', KEYS[1])
return { 1 }
