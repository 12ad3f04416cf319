-- Reads a concert's seat map in one round trip.
--
-- KEYS: meta, buy, free, owner, holds, holdseats, events, lock, ended
-- ARGV: layout, "counts" | "map" | "full" | "check", then for check the
--       owner fields to read ("b12", "f3"...)
-- Reply: {"cold"} when meta is missing or describes another layout,
--        counts: {"ok", gen, held, taken paid seats, taken free seats}
--        map:    {"ok", gen, held, buy bitmap, free bitmap, held indexes "3,4"...}
--        full:   {"ok", gen, held, buy bitmap, free bitmap, rel,
--                 {holdseats field, value...}, {owner field, value...},
--                 {holds code, deadline...}}
--        check:  as full, with the owners of the named fields only (those
--                that have one), not one field per taken seat
local META, BUY, FREE, OWNER, HOLDS, HOLDSEATS, EVENTS, LOCK, ENDED =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local meta = redis.call('HMGET', META, 'layout', 'gen', 'held')
if meta[1] ~= ARGV[1] then return {'cold'} end
local gen, held = tonumber(meta[2]), tonumber(meta[3] or 0)
if ARGV[2] == 'counts' then
  return {'ok', gen, held, redis.call('BITCOUNT', BUY), redis.call('BITCOUNT', FREE)}
end
local reply = {'ok', gen, held, redis.call('GET', BUY) or '', redis.call('GET', FREE) or ''}
if ARGV[2] == 'full' or ARGV[2] == 'check' then
  reply[6] = redis.call('HGET', META, 'rel') or '0'
  reply[7] = redis.call('HGETALL', HOLDSEATS)
  if ARGV[2] == 'full' then
    reply[8] = redis.call('HGETALL', OWNER)
  else
    local owners = {}
    for i = 3, #ARGV do
      local code = redis.call('HGET', OWNER, ARGV[i])
      if code then
        owners[#owners + 1] = ARGV[i]
        owners[#owners + 1] = code
      end
    end
    reply[8] = owners
  end
  reply[9] = redis.call('ZRANGE', HOLDS, 0, -1, 'WITHSCORES')
  return reply
end
for _, v in ipairs(redis.call('HVALS', HOLDSEATS)) do reply[#reply + 1] = v end
return reply
