-- Applies a reconcile repair (docs/design.md §5.7) seat by seat, each only if the seat
-- is still as the reconciler saw it, so that a repair racing a live sale
-- never frees a seat that is held or sold and never takes a free one.
--
-- KEYS: meta, buy, free, owner, holds, holdseats, events, lock, ended
-- ARGV: rel, n_missing, n_leaked,
--       then n_missing quads (zone letter, index, code, deadline_ms or ""):
--         seats MySQL has and Redis shows free; marked taken only while no
--         release has happened since the reconciler read MySQL (rel),
--         since MySQL's ticket may have ended meanwhile
--       then n_leaked triples (zone letter, index, owner seen or ""):
--         seats Redis shows taken that nothing explains; freed only if the
--         owner is unchanged and holds nothing
-- Reply: {"cold"} | {"ok", {seat marked taken...}, {seat freed...}}, each
--        seat as its owner field ("b12", "f3")
local META, BUY, FREE, OWNER, HOLDS, HOLDSEATS, EVENTS, LOCK, ENDED =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
if redis.call('EXISTS', META) == 0 then return {'cold'} end
local n_missing, n_leaked = tonumber(ARGV[2]), tonumber(ARGV[3])
local rel_ok = (redis.call('HGET', META, 'rel') or '0') == ARGV[1]
local taken, freed = {}, {}
local new_holds = {}
local i = 4
for _ = 1, n_missing do
  local z, idx, code, deadline = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3]
  local bitmap = BUY
  if z == 'f' then bitmap = FREE end
  if rel_ok and redis.call('GETBIT', bitmap, idx) == 0 then
    redis.call('SETBIT', bitmap, idx, 1)
    redis.call('HSET', OWNER, z .. idx, code)
    taken[#taken + 1] = z .. idx
    if deadline ~= '' then
      if not new_holds[code] then new_holds[code] = {deadline = deadline, seats = {}} end
      table.insert(new_holds[code].seats, idx)
    end
  end
  i = i + 4
end
for code, h in pairs(new_holds) do
  if redis.call('HEXISTS', HOLDSEATS, code) == 0 then
    redis.call('ZADD', HOLDS, h.deadline, code)
    redis.call('HSET', HOLDSEATS, code, table.concat(h.seats, ','))
    redis.call('HINCRBY', META, 'held', #h.seats)
  end
end
for _ = 1, n_leaked do
  local z, idx, owner = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  local bitmap = BUY
  if z == 'f' then bitmap = FREE end
  local now_owner = redis.call('HGET', OWNER, z .. idx) or ''
  if redis.call('GETBIT', bitmap, idx) == 1 and now_owner == owner and
      (owner == '' or redis.call('HEXISTS', HOLDSEATS, owner) == 0) then
    redis.call('SETBIT', bitmap, idx, 0)
    redis.call('HDEL', OWNER, z .. idx)
    freed[#freed + 1] = z .. idx
  end
  i = i + 3
end
if #taken + #freed > 0 then
  local gen = redis.call('HINCRBY', META, 'gen', 1)
  if #freed > 0 then redis.call('HINCRBY', META, 'rel', 1) end
  redis.call('PUBLISH', EVENTS, cjson.encode({event = 'repaired', gen = gen}))
end
return {'ok', taken, freed}
