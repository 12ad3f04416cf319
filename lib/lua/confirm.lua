-- Marks seats as taken for good by one ticket (paid, or a free seat granted)
-- and forgets its hold. MySQL has already committed the decision, so the
-- seats are set whatever the map said before.
--
-- A ticket that has ended since (release.lua remembers it in `ended`, e.g.
-- cancelled between its payment and this confirm) is not confirmed.
--
-- A ticket revived by a late payment (MySQL has made it SUCCESS again) has
-- ended and come back: the event is then "revive:sold", which confirms it
-- and forgets that it ended, or "revive-released:sold" for one whose expiry
-- MySQL committed, which waits ({"pending"}) until that expiry's release
-- has run, so that the release, late, cannot free the seats after this.
--
-- KEYS: meta, buy, free, owner, holds, holdseats, events, lock, ended
-- ARGV: code, zone letter ("b" or "f"), event, index...
-- Reply: {"cold"} when meta is missing: a rebuild will read MySQL instead;
--        one in progress may have read it before this change, so its lock
--        is dropped and it starts again.
--        {"ok", gen} | {"ended"} | {"pending"}
local META, BUY, FREE, OWNER, HOLDS, HOLDSEATS, EVENTS, LOCK, ENDED =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local code, z = ARGV[1], ARGV[2]
local BITMAP = BUY
if z == 'f' then BITMAP = FREE end
if redis.call('EXISTS', META) == 0 then
  redis.call('DEL', LOCK)
  return {'cold'}
end
local event = ARGV[3]
local mode, published = string.match(event, '^(revive[%a-]*):(.+)$')
if mode then
  event = published
  -- The release has run when it left the code in `ended`, or when nothing
  -- of the hold is left (an entry of `ended` is pruned after a day).
  if mode == 'revive-released' and not redis.call('ZSCORE', ENDED, code)
      and (redis.call('HEXISTS', HOLDSEATS, code) == 1 or redis.call('ZSCORE', HOLDS, code)) then
    return {'pending'}
  end
  redis.call('ZREM', ENDED, code)
elseif redis.call('ZSCORE', ENDED, code) then
  return {'ended'}
end

local seats = {}
for i = 4, #ARGV do
  local idx = tonumber(ARGV[i])
  seats[#seats + 1] = idx
  redis.call('SETBIT', BITMAP, idx, 1)
  redis.call('HSET', OWNER, z .. idx, code)
end

local held = redis.call('HGET', HOLDSEATS, code)
if held then
  local n = 0
  for _ in string.gmatch(held, '%d+') do n = n + 1 end
  redis.call('HINCRBY', META, 'held', -n)
  redis.call('HDEL', HOLDSEATS, code)
end
redis.call('ZREM', HOLDS, code)

local gen = redis.call('HINCRBY', META, 'gen', 1)
local zone = 'BUY'
if z == 'f' then zone = 'FREE' end
redis.call('PUBLISH', EVENTS, cjson.encode({event = event, ticket = code, zone = zone, seats = seats, gen = gen}))
return {'ok', gen}
