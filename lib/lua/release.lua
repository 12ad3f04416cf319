-- Frees the seats of one ticket and forgets its hold (expiry, a failed buy,
-- cancellation). Only seats that this ticket owns are freed, so releasing a
-- ticket never frees a seat that another ticket holds or bought.
--
-- A released ticket has ended for good: it is remembered (for a day) in
-- `ended`, so that a confirm arriving late cannot take its seats back.
--
-- KEYS: meta, buy, free, owner, holds, holdseats, events, lock, ended
-- ARGV: code, zone letter ("b" or "f"), event, index...
--       without indexes, the seats the ticket holds (holdseats)
-- Reply: {"cold"} when meta is missing: a rebuild will read MySQL instead;
--        one in progress may have read it before this change, so its lock
--        is dropped and it starts again.
--        {"ok", gen, freed index...}
local META, BUY, FREE, OWNER, HOLDS, HOLDSEATS, EVENTS, LOCK, ENDED =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local code, z = ARGV[1], ARGV[2]
local BITMAP = BUY
if z == 'f' then BITMAP = FREE end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', ENDED, now, code)
redis.call('ZREMRANGEBYSCORE', ENDED, '-inf', now - 86400000)
if redis.call('EXISTS', META) == 0 then
  redis.call('DEL', LOCK)
  return {'cold'}
end
-- Counts every release, even one that frees nothing: a repair that marks
-- seats taken checks it.
redis.call('HINCRBY', META, 'rel', 1)

local held = redis.call('HGET', HOLDSEATS, code)
local seats = {}
if #ARGV > 3 then
  for i = 4, #ARGV do seats[#seats + 1] = tonumber(ARGV[i]) end
elseif held and z == 'b' then
  for idx in string.gmatch(held, '%d+') do seats[#seats + 1] = tonumber(idx) end
end

local freed = {}
for _, idx in ipairs(seats) do
  if redis.call('HGET', OWNER, z .. idx) == code then
    redis.call('SETBIT', BITMAP, idx, 0)
    redis.call('HDEL', OWNER, z .. idx)
    freed[#freed + 1] = idx
  end
end

local changed = #freed > 0
if held then
  local n = 0
  for _ in string.gmatch(held, '%d+') do n = n + 1 end
  redis.call('HINCRBY', META, 'held', -n)
  redis.call('HDEL', HOLDSEATS, code)
  changed = true
end
if redis.call('ZREM', HOLDS, code) == 1 then changed = true end

local gen
if changed then
  gen = redis.call('HINCRBY', META, 'gen', 1)
  local zone = 'BUY'
  if z == 'f' then zone = 'FREE' end
  local event = {event = ARGV[3], ticket = code, zone = zone, seats = freed, gen = gen}
  if #freed == 0 then event.seats = cjson.decode('[]') end
  redis.call('PUBLISH', EVENTS, cjson.encode(event))
else
  gen = tonumber(redis.call('HGET', META, 'gen'))
end
local reply = {'ok', gen}
for _, idx in ipairs(freed) do reply[#reply + 1] = idx end
return reply
