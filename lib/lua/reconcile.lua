-- Applies a reconcile repair (SPEC §5) seat by seat, each only if the seat
-- is still as the reconciler saw it, so that a repair racing a live sale
-- never frees a seat that is held or sold and never takes a free one.
--
-- KEYS: meta, buy, free, owner, holdseats, holds, events
-- ARGV: rel, n_missing, n_leaked,
--       then n_missing quads (zone letter, index, code, deadline_ms or ""):
--         seats MySQL has and Redis shows free; marked taken only while no
--         release has happened since the reconciler read MySQL (rel),
--         since MySQL's ticket may have ended meanwhile
--       then n_leaked triples (zone letter, index, owner seen or ""):
--         seats Redis shows taken that nothing explains; freed only if the
--         owner is unchanged and holds nothing
-- Reply: {"cold"} | {"ok", missing fixed, leaked fixed}
if redis.call('EXISTS', KEYS[1]) == 0 then return {'cold'} end
local n_missing, n_leaked = tonumber(ARGV[2]), tonumber(ARGV[3])
local rel_ok = (redis.call('HGET', KEYS[1], 'rel') or '0') == ARGV[1]
local fixed_missing, fixed_leaked = 0, 0
local new_holds = {}
local i = 4
for _ = 1, n_missing do
  local z, idx, code, deadline = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3]
  local bitmap = KEYS[2]
  if z == 'f' then bitmap = KEYS[3] end
  if rel_ok and redis.call('GETBIT', bitmap, idx) == 0 then
    redis.call('SETBIT', bitmap, idx, 1)
    redis.call('HSET', KEYS[4], z .. idx, code)
    fixed_missing = fixed_missing + 1
    if deadline ~= '' then
      if not new_holds[code] then new_holds[code] = {deadline = deadline, seats = {}} end
      table.insert(new_holds[code].seats, idx)
    end
  end
  i = i + 4
end
for code, h in pairs(new_holds) do
  if redis.call('HEXISTS', KEYS[5], code) == 0 then
    redis.call('ZADD', KEYS[6], h.deadline, code)
    redis.call('HSET', KEYS[5], code, table.concat(h.seats, ','))
    redis.call('HINCRBY', KEYS[1], 'held', #h.seats)
  end
end
for _ = 1, n_leaked do
  local z, idx, owner = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  local bitmap = KEYS[2]
  if z == 'f' then bitmap = KEYS[3] end
  local now_owner = redis.call('HGET', KEYS[4], z .. idx) or ''
  if redis.call('GETBIT', bitmap, idx) == 1 and now_owner == owner and
      (owner == '' or redis.call('HEXISTS', KEYS[5], owner) == 0) then
    redis.call('SETBIT', bitmap, idx, 0)
    redis.call('HDEL', KEYS[4], z .. idx)
    fixed_leaked = fixed_leaked + 1
  end
  i = i + 3
end
if fixed_missing + fixed_leaked > 0 then
  local gen = redis.call('HINCRBY', KEYS[1], 'gen', 1)
  if fixed_leaked > 0 then redis.call('HINCRBY', KEYS[1], 'rel', 1) end
  redis.call('PUBLISH', KEYS[7], cjson.encode({event = 'repaired', gen = gen}))
end
return {'ok', fixed_missing, fixed_leaked}
