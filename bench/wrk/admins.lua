-- Staff working in the panel: user search and the dashboard, about one request a second each.
package.path = package.path .. ";" .. os.getenv("BENCH_WRK_DIR") .. "/?.lua"
local report = require("report")
local token = os.getenv("BENCH_ADMIN_TOKEN")
local queries = { "user1", "Имя12", "user4242", "Фамилия7", "user99", "1000012345" }

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

delay = function()
  return math.random(700, 1300)
end

request = function()
  local r = math.random(10)
  local path
  if r <= 3 then
    path = "/api/v1/admin/dashboard"
  elseif r <= 8 then
    path = "/api/v1/admin/users?q=" .. urlencode(queries[math.random(#queries)]) .. "&size=20"
  else
    path = "/api/v1/admin/payments?size=20"
  end
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end

done = report.done
