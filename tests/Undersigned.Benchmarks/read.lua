function done(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d 0\n", summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
