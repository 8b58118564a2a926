-- wrk script: mission pages picked at random from a list of "host path" lines, one per
-- mission (the file named by MISSION_URLS), so that most requests find no page memoised.
local urls = {}
for line in io.lines(os.getenv("MISSION_URLS")) do
  local host, path = line:match("^(%S+) (%S+)$")
  if host then urls[#urls + 1] = { host, path } end
end
math.randomseed(os.time())
request = function()
  local u = urls[math.random(#urls)]
  return wrk.format("GET", u[2], { ["Host"] = u[1], ["Accept-Encoding"] = "gzip" })
end
