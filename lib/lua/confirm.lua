-- Marks seats as taken for good by one ticket (paid, or a free seat granted)
-- and forgets its hold. MySQL has already committed the decision, so the
-- seats are set whatever the map said before.
--
-- A ticket that has ended since (release.lua remembers it in `ended`, e.g.
-- cancelled between its payment and this confirm) is not confirmed.
--
-- KEYS: meta, bitmap of the zone, owner, holds, holdseats, events, lock, ended
-- ARGV: code, zone letter ("b" or "f"), event, index...
-- Reply: {"cold"} when meta is missing: a rebuild will read MySQL instead;
--        one in progress may have read it before this change, so its lock
--        is dropped and it starts again.
--        {"ok", gen} | {"ended"}
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[7])
  return {'cold'}
end
local code, z = ARGV[1], ARGV[2]
if redis.call('ZSCORE', KEYS[8], code) then return {'ended'} end

local seats = {}
for i = 4, #ARGV do
  local idx = tonumber(ARGV[i])
  seats[#seats + 1] = idx
  redis.call('SETBIT', KEYS[2], idx, 1)
  redis.call('HSET', KEYS[3], z .. idx, code)
end

local held = redis.call('HGET', KEYS[5], code)
if held then
  local n = 0
  for _ in string.gmatch(held, '%d+') do n = n + 1 end
  redis.call('HINCRBY', KEYS[1], 'held', -n)
  redis.call('HDEL', KEYS[5], code)
end
redis.call('ZREM', KEYS[4], code)

local gen = redis.call('HINCRBY', KEYS[1], 'gen', 1)
local zone = 'BUY'
if z == 'f' then zone = 'FREE' end
redis.call('PUBLISH', KEYS[6], cjson.encode({event = ARGV[3], ticket = code, zone = zone, seats = seats, gen = gen}))
return {'ok', gen}
