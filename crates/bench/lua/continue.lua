-- wrk script: POST /api/continue with a body from a pre-generated file, one JSON body a line,
-- each with a fresh `state` and a freshly minted session token.
--
--   wrk -t T -c C -d 5s -s continue.lua http://127.0.0.1:PORT -- BODIES_FILE T [once]
--
-- Thread k of T takes lines k, k+T, k+2T, ... so no two requests share a body. A thread that
-- runs out starts again from its first body and counts it in `wrapped`: against the signer
-- that would be a replay (409), so the runner sizes the file to make it not happen and
-- reports it when it does. With `once`, a thread that runs out sends `GET /healthz` (which
-- uses no token) instead, so every body is posted exactly once; the runner appends
-- `wrk::STOP_WHEN_EXHAUSTED` to the script for such runs, so the thread then stops (a
-- `response()` function makes wrk read every response into Lua, so the throughput runs go
-- without it).

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

bodies = {}
cursor = 1
wrapped = 0
once = false
exhausted = false

function init(args)
  local path = args[1]
  local count = tonumber(args[2])
  once = args[3] == "once"
  local line_number = 0
  for line in io.lines(path) do
    if line_number % count == id then
      bodies[#bodies + 1] = line
    end
    line_number = line_number + 1
  end
  if #bodies == 0 then
    error("no request bodies for thread " .. id .. " in " .. path)
  end
end

local headers = { ["Content-Type"] = "application/json" }

function request()
  if cursor > #bodies and once then
    exhausted = true
    return wrk.format("GET", "/healthz")
  end
  if cursor > #bodies then
    cursor = 1
    wrapped = wrapped + 1
  end
  local body = bodies[cursor]
  cursor = cursor + 1
  return wrk.format("POST", "/api/continue", headers, body)
end

function done(summary, latency, requests)
  local total_wrapped = 0
  for _, thread in ipairs(threads) do
    total_wrapped = total_wrapped + thread:get("wrapped")
  end
  local errors = summary.errors
  io.write(string.format(
    "STOPOVER-WRK requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d wrapped=%d\n",
    summary.requests,
    summary.duration,
    errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50),
    latency:percentile(99),
    total_wrapped
  ))
end
