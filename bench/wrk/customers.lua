-- 1000 customers who each wait about a second between requests, mixing what the bot asks for.
package.path = package.path .. ";" .. os.getenv("BENCH_WRK_DIR") .. "/?.lua"
local report = require("report")
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local mix = {
  { "/api/v1/locations", false, 20 },
  { "/api/v1/tariffs", false, 15 },
  { "/api/v1/users/me", true, 25 },
  { "/api/v1/users/me/subscriptions", true, 25 },
  { "/api/v1/users/me/payments", true, 15 },
}
local wheel = {}
for _, m in ipairs(mix) do for _ = 1, m[3] do wheel[#wheel + 1] = m end end
local n = 0

delay = function()
  return math.random(700, 1300)
end

request = function()
  n = n + 1
  local m = wheel[math.random(#wheel)]
  if m[2] then
    local t = tokens[math.random(#tokens)]
    return wrk.format("GET", m[1], { ["Authorization"] = "Bearer " .. t })
  end
  return wrk.format("GET", m[1])
end

done = report.done
