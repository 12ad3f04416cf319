-- release.lua for many tickets of one concert in one call (the daemon's
-- expiry): each ticket is released exactly as release.lua releases it, one
-- after the other, with one event each; the counters and the sets shared by
-- all are written once.
--
-- KEYS: meta, buy, free, owner, holds, holdseats, events, lock, ended
-- ARGV: for each ticket: code, zone letter ("b" or "f"), event, n, index x n
--       (n = 0: the seats the ticket holds, from holdseats)
-- Reply: {"cold"} when meta is missing (as release.lua);
--        {"ok", gen}
local META, BUY, FREE, OWNER, HOLDS, HOLDSEATS, EVENTS, LOCK, ENDED =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]

-- A ticket named twice is released once (the second release of release.lua
-- would change nothing).
local tickets, seen = {}, {}
local i = 1
while i <= #ARGV do
  local n = tonumber(ARGV[i + 3])
  local t = {code = ARGV[i], z = ARGV[i + 1], event = ARGV[i + 2], seats = {}}
  for k = 1, n do t.seats[k] = ARGV[i + 3 + k] end
  if not seen[t.code] then
    seen[t.code] = true
    tickets[#tickets + 1] = t
  end
  i = i + 4 + n
end
if #tickets == 0 then return {'ok', 0} end

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- Seats and scores stay strings: turning a Lua number into one is costly.
local score = string.format('%d', now)
local ended = {}
for _, tk in ipairs(tickets) do
  ended[#ended + 1] = score
  ended[#ended + 1] = tk.code
end
redis.call('ZADD', ENDED, unpack(ended))
redis.call('ZREMRANGEBYSCORE', ENDED, '-inf', now - 86400000)
if redis.call('EXISTS', META) == 0 then
  redis.call('DEL', LOCK)
  return {'cold'}
end
redis.call('HINCRBY', META, 'rel', #tickets)

local codes = {}
for k, tk in ipairs(tickets) do codes[k] = tk.code end
local helds = redis.call('HMGET', HOLDSEATS, unpack(codes))
local gen = redis.call('HINCRBY', META, 'gen', 0)
local held_total, forget = 0, {}
for k, tk in ipairs(tickets) do
  local BITMAP = BUY
  if tk.z == 'f' then BITMAP = FREE end
  local held = helds[k]
  local seats = tk.seats
  if #seats == 0 and held and tk.z == 'b' then
    for idx in string.gmatch(held, '%d+') do seats[#seats + 1] = idx end
  end
  local freed = {}
  for _, idx in ipairs(seats) do
    if redis.call('HGET', OWNER, tk.z .. idx) == tk.code then
      redis.call('SETBIT', BITMAP, idx, 0)
      redis.call('HDEL', OWNER, tk.z .. idx)
      freed[#freed + 1] = tonumber(idx)
    end
  end
  local changed = #freed > 0
  if held then
    for _ in string.gmatch(held, '%d+') do held_total = held_total + 1 end
    forget[#forget + 1] = tk.code
    changed = true
  end
  -- A ticket without a hold is only in the schedule (if at all) by itself.
  if not held then
    if redis.call('ZREM', HOLDS, tk.code) == 1 then changed = true end
  end
  if changed then
    gen = gen + 1
    local zone = 'BUY'
    if tk.z == 'f' then zone = 'FREE' end
    local event = {event = tk.event, ticket = tk.code, zone = zone, seats = freed, gen = gen}
    if #freed == 0 then event.seats = cjson.decode('[]') end
    redis.call('PUBLISH', EVENTS, cjson.encode(event))
  end
end
if #forget > 0 then
  redis.call('HDEL', HOLDSEATS, unpack(forget))
  redis.call('ZREM', HOLDS, unpack(forget))
end
if held_total > 0 then redis.call('HINCRBY', META, 'held', -held_total) end
redis.call('HSET', META, 'gen', gen)
return {'ok', gen}
