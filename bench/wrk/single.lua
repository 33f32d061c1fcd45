-- One endpoint, no think time: PATH env var, optional TOKEN_FILE (one bearer token per line).
package.path = package.path .. ";" .. os.getenv("BENCH_WRK_DIR") .. "/?.lua"
local report = require("report")
local path = os.getenv("BENCH_PATH") or "/"
local tokens = {}
local token_file = os.getenv("BENCH_TOKENS")
if token_file then
  for line in io.lines(token_file) do tokens[#tokens + 1] = line end
end
local i = 0

request = function()
  i = i + 1
  if #tokens > 0 then
    local t = tokens[(i % #tokens) + 1]
    return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. t })
  end
  return wrk.format("GET", path)
end

done = report.done
