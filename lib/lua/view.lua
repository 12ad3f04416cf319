-- Reads a concert's seat map in one round trip.
--
-- KEYS: meta, buy, free, holdseats, owner, holds (the last two for "full")
-- ARGV: layout, "counts" | "map" | "full"
-- Reply: {"cold"} when meta is missing or describes another layout,
--        counts: {"ok", gen, held, taken paid seats, taken free seats}
--        map:    {"ok", gen, held, buy bitmap, free bitmap, held indexes "3,4"...}
--        full:   {"ok", gen, held, buy bitmap, free bitmap, rel,
--                 {holdseats field, value...}, {owner field, value...},
--                 {holds code, deadline...}}
local meta = redis.call('HMGET', KEYS[1], 'layout', 'gen', 'held')
if meta[1] ~= ARGV[1] then return {'cold'} end
local gen, held = tonumber(meta[2]), tonumber(meta[3] or 0)
if ARGV[2] == 'counts' then
  return {'ok', gen, held, redis.call('BITCOUNT', KEYS[2]), redis.call('BITCOUNT', KEYS[3])}
end
local reply = {'ok', gen, held, redis.call('GET', KEYS[2]) or '', redis.call('GET', KEYS[3]) or ''}
if ARGV[2] == 'full' then
  reply[6] = redis.call('HGET', KEYS[1], 'rel') or '0'
  reply[7] = redis.call('HGETALL', KEYS[4])
  reply[8] = redis.call('HGETALL', KEYS[5])
  reply[9] = redis.call('ZRANGE', KEYS[6], 0, -1, 'WITHSCORES')
  return reply
end
for _, v in ipairs(redis.call('HVALS', KEYS[4])) do reply[#reply + 1] = v end
return reply
