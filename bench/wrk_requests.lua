-- wrk script for bench/run.py: replay precomputed, signed Twilio webhook POSTs (or USSD steps).
--
--   wrk -t2 -c32 -d10s -s bench/wrk_requests.lua http://127.0.0.1:PORT/sms -- PREFIX
--
-- Thread N reads PREFIX.N.tsv (one "signature<TAB>form-body" per line, written by
-- bench/messages.py), so every thread has its own disjoint slice of MessageSids.
-- Each request() hands out the next one; a thread that runs out starts its slice
-- again and counts the wrap (a wrap against the line fails a check in
-- bench/report.py: the line would answer replays, not new messages).
-- done() prints one machine-readable line: BENCH_JSON {...}.

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("tid", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

function init(args)
   local path = args[1] .. "." .. tid .. ".tsv"
   local headers = {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["User-Agent"] = "TwilioProxy/1.1",
      ["Accept"] = "*/*",
      ["Cache-Control"] = "max-age=259200",
      ["X-Home-Region"] = "us1",
   }
   reqs = {}
   local n = 0
   for line in io.lines(path) do
      local tab = string.find(line, "\t", 1, true)
      if tab then
         -- A USSD step (bench/ussd.py) has no signature: its key is in the URL.
         local signature = string.sub(line, 1, tab - 1)
         headers["X-Twilio-Signature"] = signature ~= "" and signature or nil
         n = n + 1
         -- Whole HTTP requests built once here: request() only hands them out.
         reqs[n] = wrk.format("POST", wrk.path, headers, string.sub(line, tab + 1))
      end
   end
   total = n
   idx = 0
   sent = 0
   wraps = 0
end

function request()
   idx = idx + 1
   if idx > total then
      idx = 1
      wraps = wraps + 1
   end
   sent = sent + 1
   return reqs[idx]
end

function done(summary, latency, requests)
   local sent_all, pool_all, wraps_all = 0, 0, 0
   for _, thread in ipairs(threads) do
      sent_all = sent_all + (thread:get("sent") or 0)
      pool_all = pool_all + (thread:get("total") or 0)
      wraps_all = wraps_all + (thread:get("wraps") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d},' ..
      '"sent":%d,"pool":%d,"wraps":%d,"threads":%d}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency:percentile(99.9), latency.max,
      sent_all, pool_all, wraps_all, #threads))
end
