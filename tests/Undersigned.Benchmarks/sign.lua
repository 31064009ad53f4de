-- Unique signing bodies per request (one address each), so every request is a first signature.
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  counter = 0
  accepted = 0
  others = ""
  -- Every wrk process and thread starts the same random sequence: the tag (one per process) keeps their emails apart,
  -- and seeding with it and the thread keeps client addresses from repeating round after round (they reached the
  -- per-letter limit by the third round: 429s).
  tag = args[1] or "0"
  math.randomseed(tonumber(tag) * 1000 + id)
end
function request()
  counter = counter + 1
  local body = string.format('{"kind":"individual","name":"Bench Signer","organisation":"Load Testers Union","email":"t%s-%d-%d-%d@example.org","showName":true,"consent":true,"textVersion":1}', tag, id, counter, math.random(1000000000))
  -- Each request looks like a distinct client behind a trusted proxy, so per-address limits do not apply.
  local address = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = address }, body)
end
-- 202s are counted, so the benchmark can check that every signature answered 202 is in the database; any other
-- status is kept, to be printed (a 503 under load is a refusal to report, a 500 a bug).
function response(status, headers, body)
  if status == 202 then accepted = accepted + 1 else others = others .. " " .. status end
end
function done(summary, latency, requests)
  local total = 0
  local statuses = ""
  for _, thread in ipairs(threads) do
    total = total + thread:get("accepted")
    statuses = statuses .. thread:get("others")
  end
  if statuses ~= "" then io.write("OTHER" .. statuses .. "\n") end
  io.write(string.format("RESULT %d %d %d %d %d %d %d\n", summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, total))
end
