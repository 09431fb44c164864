-- Replays the requests listed in the file named by BENCH_REQUESTS, one per line:
--   METHOD <TAB> PATH <TAB> COOKIE <TAB> IF-NONE-MATCH <TAB> BODY [<TAB> AUTHORIZATION [<TAB> ACCEPT-ENCODING]]
-- (empty fields are left out). Thread k of n takes lines k, k+n, k+2n, ... With
-- BENCH_ONCE=1 a thread stops when its lines run out, so no request is ever repeated;
-- otherwise it starts again from its first line.
-- At the end one line "BENCH {json}" gives throughput, latency percentiles (microseconds)
-- and how many responses came back with each status.

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
  table.insert(threads, thread)
end

local requests = {}
local next_index = 1
local once = os.getenv("BENCH_ONCE") == "1"
statuses = {}

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  local total_threads = tonumber(os.getenv("BENCH_THREADS") or "1")
  local number = 0
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    if number % total_threads == thread_number - 1 then
      local f = split(line)
      local headers = {}
      if f[3] ~= nil and f[3] ~= "" then headers["Cookie"] = "session=" .. f[3] end
      if f[4] ~= nil and f[4] ~= "" then headers["If-None-Match"] = f[4] end
      if f[6] ~= nil and f[6] ~= "" then headers["Authorization"] = f[6] end
      if f[7] ~= nil and f[7] ~= "" then headers["Accept-Encoding"] = f[7] end
      local body = nil
      if f[5] ~= nil and f[5] ~= "" then
        body = f[5]
        headers["Content-Type"] = "application/x-www-form-urlencoded"
      end
      table.insert(requests, wrk.format(f[1], f[2], headers, body))
    end
    number = number + 1
  end
end

function request()
  if next_index > #requests then
    if once then
      wrk.thread:stop()
    end
    next_index = 1
  end
  local r = requests[next_index]
  next_index = next_index + 1
  return r
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for status, n in pairs(s) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%s": %d', status, n))
  end
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, "mean": %.1f, ' ..
    '"socket_errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ", ")))
end
