-- Records a reader's report of a comment once, and sums the reports' weights
-- in the same step, so of two reports arriving together the later one sees
-- both and neither misses the hold threshold.
--
-- KEYS[1] the comment's reports (hash: reporter id -> JSON {reason, note, at, weight})
--
-- ARGV[1] reporter id   ARGV[2] report JSON (with its weight)
-- ARGV[3] how long (ms) the reports are kept after the latest one: who
--         reported what is personal data (MODERATION_RETENTION_DAYS)
--
-- Returns {added (1 or 0), distinct reporters, sum of weights}. A report
-- stored without a weight (before weights existed) counts 2, as a full report.

local added = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
local weight = 0
local reports = redis.call('HVALS', KEYS[1])
for _, json in ipairs(reports) do
  local w = cjson.decode(json).weight
  if type(w) ~= 'number' then w = 2 end
  weight = weight + w
end
return {added, #reports, weight}
