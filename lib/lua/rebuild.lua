-- Replaces a concert's seat map with what MySQL holds (docs/design.md §5.8: the cache
-- can always be rebuilt). Holds that Redis has and MySQL does not know yet
-- (a buy between its hold and its commit) are kept when their seats are
-- still free, so a rebuild during a sale does not drop them.
--
-- KEYS: meta, buy, free, owner, holds, holdseats, events, lock, ended
-- ARGV: lock token, layout, buy bitmap, free bitmap, n_owners, n_holds,
--       then n_owners pairs (field, code),
--       then n_holds triples (code, deadline_ms, indexes "3,4")
-- Reply: {"ok", gen} | {"lost"} when the lock is no longer ours
local META, BUY, FREE, OWNER, HOLDS, HOLDSEATS, EVENTS, LOCK, ENDED =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
if redis.call('GET', LOCK) ~= ARGV[1] then return {'lost'} end

local known = {}
local n_owners, n_holds = tonumber(ARGV[5]), tonumber(ARGV[6])
local i = 7
for _ = 1, n_owners do
  known[ARGV[i + 1]] = true
  i = i + 2
end

-- Holds of codes MySQL does not know, with their deadlines.
local pending = {}
local old = redis.call('HGETALL', HOLDSEATS)
for j = 1, #old, 2 do
  local code = old[j]
  if not known[code] then
    local deadline = redis.call('ZSCORE', HOLDS, code)
    if deadline then pending[#pending + 1] = {code, deadline, old[j + 1]} end
  end
end

redis.call('DEL', META, BUY, FREE, OWNER, HOLDS, HOLDSEATS)
redis.call('SET', BUY, ARGV[3])
redis.call('SET', FREE, ARGV[4])
i = 7
for _ = 1, n_owners do
  redis.call('HSET', OWNER, ARGV[i], ARGV[i + 1])
  i = i + 2
end
local held = 0
for _ = 1, n_holds do
  redis.call('ZADD', HOLDS, ARGV[i + 1], ARGV[i])
  redis.call('HSET', HOLDSEATS, ARGV[i], ARGV[i + 2])
  for _ in string.gmatch(ARGV[i + 2], '%d+') do held = held + 1 end
  i = i + 3
end

for _, p in ipairs(pending) do
  local code, deadline, list = p[1], p[2], p[3]
  local free = true
  for idx in string.gmatch(list, '%d+') do
    if redis.call('GETBIT', BUY, tonumber(idx)) == 1 then free = false end
  end
  if free then
    for idx in string.gmatch(list, '%d+') do
      redis.call('SETBIT', BUY, tonumber(idx), 1)
      redis.call('HSET', OWNER, 'b' .. idx, code)
      held = held + 1
    end
    redis.call('ZADD', HOLDS, deadline, code)
    redis.call('HSET', HOLDSEATS, code, list)
  end
end

-- A generation that no earlier map of this concert had: the server's clock
-- in milliseconds (small enough for the events' JSON to carry exactly).
local t = redis.call('TIME')
local gen = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', META, 'layout', ARGV[2], 'held', held, 'gen', gen, 'rel', gen)
redis.call('DEL', LOCK)
redis.call('PUBLISH', EVENTS, cjson.encode({event = 'rebuilt', gen = gen}))
return {'ok', gen}
