local out = {}
local cursor = "0"
repeat
  local res = redis.call("SCAN", cursor, "MATCH", "*", "TYPE", "stream", "COUNT", 1000)
  cursor = res[1]
  for _, s in ipairs(res[2]) do
    local info = redis.call("XINFO", "STREAM", s)
    local added = 0
    for i = 1, #info, 2 do if info[i] == "entries-added" then added = info[i + 1] end end
    for _, g in ipairs(redis.call("XINFO", "GROUPS", s)) do
      local f = {}
      for i = 1, #g, 2 do f[g[i]] = g[i + 1] end
      local prefix = s .. "/" .. f["name"] .. "/"
      if type(f["lag"]) == "number" then
        table.insert(out, prefix .. "backlog"); table.insert(out, tostring(f["lag"] + f["pending"]))
      end
      table.insert(out, prefix .. "pending"); table.insert(out, tostring(f["pending"]))
      if type(f["entries-read"]) == "number" then
        table.insert(out, prefix .. "read"); table.insert(out, tostring(f["entries-read"]))
      end
      table.insert(out, prefix .. "added"); table.insert(out, tostring(added))
    end
  end
until cursor == "0"
return out
