-- wrk script: 16 pipelined `GET /` per batch (`wrk -t1 -c8 -d2s -s bench/pipeline.lua URL`)
init = function(args)
   local r = {}
   for i = 1, 16 do r[i] = wrk.format(nil, "/") end
   req = table.concat(r)
end
request = function() return req end
