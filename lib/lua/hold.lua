-- Holds paid seats for one ticket: every seat or none (docs/design.md §3.3, §5.1).
--
-- KEYS: meta, buy, free, owner, holds, holdseats, events, lock, ended
-- ARGV: layout, code, deadline_ms, "seats", index...
--       layout, code, deadline_ms, "best", n, rows, seats_per_row
-- Reply: {"cold"}               meta is missing or describes another layout
--        {"taken", index...}    these seats are taken; nothing was held
--        {"none"}               no row has n adjacent free seats
--        {"ok", gen, index...}  held; the seats in order
-- Holding a code that already holds seats answers those seats again, so a
-- caller that retries after a lost reply does not hold twice.
local META, BUY, FREE, OWNER, HOLDS, HOLDSEATS, EVENTS, LOCK, ENDED =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
if redis.call('HGET', META, 'layout') ~= ARGV[1] then return {'cold'} end
local code = ARGV[2]

local already = redis.call('HGET', HOLDSEATS, code)
if already then
  local reply = {'ok', tonumber(redis.call('HGET', META, 'gen'))}
  for idx in string.gmatch(already, '%d+') do reply[#reply + 1] = tonumber(idx) end
  return reply
end

local seats = {}
if ARGV[4] == 'seats' then
  local taken = {'taken'}
  for i = 5, #ARGV do
    local idx = tonumber(ARGV[i])
    seats[#seats + 1] = idx
    if redis.call('GETBIT', BUY, idx) == 1 then taken[#taken + 1] = idx end
  end
  if #taken > 1 then return taken end
else
  -- The first run of n free seats in one row, scanning from the front row.
  local n, rows, per = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
  local bits = redis.call('GET', BUY) or ''
  local nbytes = #bits
  for row = 0, rows - 1 do
    local run, base = 0, row * per
    local s = 0
    while s < per do
      local idx = base + s
      local b = math.floor(idx / 8)
      local byte = 0
      if b < nbytes then byte = string.byte(bits, b + 1) end
      if byte == 255 and idx % 8 == 0 and s + 8 <= per then
        run, s = 0, s + 8
      else
        if bit.band(byte, bit.rshift(128, idx % 8)) == 0 then run = run + 1 else run = 0 end
        if run == n then
          for k = idx - n + 1, idx do seats[#seats + 1] = k end
          break
        end
        s = s + 1
      end
    end
    if #seats > 0 then break end
  end
  if #seats == 0 then return {'none'} end
end

for _, idx in ipairs(seats) do
  redis.call('SETBIT', BUY, idx, 1)
  redis.call('HSET', OWNER, 'b' .. idx, code)
end
redis.call('ZADD', HOLDS, ARGV[3], code)
redis.call('HSET', HOLDSEATS, code, table.concat(seats, ','))
redis.call('HINCRBY', META, 'held', #seats)
local gen = redis.call('HINCRBY', META, 'gen', 1)
redis.call('PUBLISH', EVENTS, cjson.encode({event = 'held', ticket = code, zone = 'BUY', seats = seats, gen = gen}))
local reply = {'ok', gen}
for _, idx in ipairs(seats) do reply[#reply + 1] = idx end
return reply
