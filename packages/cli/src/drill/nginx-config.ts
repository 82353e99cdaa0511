// The nginx.conf of `--ingress nginx`: the parts of ingress-nginx's own template that decide
// whether a rollout drops requests, and nothing else. Upstreams are set by Lua, never by a reload
// (a reload empties the upstream keep-alive pools and drops idle client connections): the
// controller POSTs the Ready endpoints to /configuration/backends (a shared dict; one "host port"
// a line), and each worker
// picks them up on its 1 s timer, as ingress-nginx's balancer.lua does.

export interface NginxConfigOptions {
  /** nginx's prefix: logs, pid file and temp directories go here. */
  dir: string;
  /** Where the load connects (the ingress's listener). */
  port: number;
  /** The controller's side door: /configuration/backends and /configuration/applied. */
  configPort: number;
  /** Where Debian keeps the dynamic modules. */
  modulesDir: string;
  /** Workers switch to this user; root's workers as root (the prefix directory is 0700). */
  user: string | undefined;
  /** ingress-nginx's upstream keep-alive: `upstream-keepalive-timeout`, 60 s by default. */
  upstreamKeepAliveTimeoutS: number;
  /**
   * proxy_next_upstream: ingress-nginx's `error timeout` (3 tries), or `off` (one try, as an
   * AWS ALB does: it does not retry a request its target reset).
   */
  retry: boolean;
  workers: number;
}

/** ingress-nginx's defaults for the upstream pool (its ConfigMap keys in the comments). */
export const INGRESS_NGINX_DEFAULTS = {
  /** upstream-keepalive-connections */
  keepAliveConnections: 320,
  /** upstream-keepalive-timeout */
  keepAliveTimeoutS: 60,
  /** upstream-keepalive-requests */
  keepAliveRequests: 10_000,
  /** proxy-next-upstream-tries */
  tries: 3,
  /** The controller's sync rate limit: a token bucket of 0.3 per second (one sync every 3.3 s). */
  syncPerSecond: 0.3,
  /** How often each worker looks for new backends (balancer.lua's BACKENDS_SYNC_INTERVAL). */
  workerSyncS: 1,
} as const;

/** The ingress's access log: one JSON object a line, what the drill reads back. */
const LOG_FORMAT = [
  '{"msec":$msec',
  '"connection":$connection',
  '"method":"$request_method"',
  '"status":$status',
  '"upstreamAddr":"$upstream_addr"',
  '"upstreamStatus":"$upstream_status"',
  '"request":"$http_x_drill_request"}',
].join(',');

export function nginxConfig(options: NginxConfigOptions): string {
  const { dir, port, configPort, modulesDir, user } = options;
  const d = INGRESS_NGINX_DEFAULTS;
  return `# Written by lameduck drill --ingress nginx; removed when the drill ends.
${user === undefined ? '' : `user ${user};\n`}worker_processes ${options.workers};
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log notice;
load_module ${modulesDir}/ndk_http_module.so;
load_module ${modulesDir}/ngx_http_lua_module.so;

events {
  worker_connections 16384;
}

http {
  client_body_temp_path ${dir}/client-body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  log_format drill escape=json '${LOG_FORMAT}';
  access_log ${dir}/access.log drill;
  lua_package_path '/usr/share/lua/5.1/?.lua;;';
  lua_shared_dict configuration 8m;

  init_by_lua_block {
    -- One table per worker (each worker has its own Lua VM, forked from this one).
    ingress = { peers = {}, version = 0, next = 0 }
  }

  init_worker_by_lua_block {
    local configuration = ngx.shared.configuration
    -- One "host port" a line (no JSON: Debian's Lua module comes without cjson).
    local function parse(backends)
      local peers = {}
      for host, port in string.gmatch(backends, "(%S+) (%d+)") do
        peers[#peers + 1] = { host = host, port = tonumber(port) }
      end
      return peers
    end
    local function sync(premature)
      if premature then return end
      local version = configuration:get("version") or 0
      if version ~= ingress.version then
        ingress.peers = parse(configuration:get("backends") or "")
        ingress.version = version
      end
      configuration:set("applied:" .. ngx.worker.id(), ingress.version)
    end
    ngx.timer.at(0, sync)
    ngx.timer.every(${d.workerSyncS}, sync)
  }

  upstream upstream_balancer {
    server 0.0.0.1; # a placeholder: the balancer picks every peer
    balancer_by_lua_block {
      local balancer = require "ngx.balancer"
      local peers = ingress.peers
      if #peers == 0 then return ngx.exit(ngx.ERROR) end
      ingress.next = ingress.next % #peers + 1
      local peer = peers[ingress.next]
      -- As ingress-nginx: one more try each time, proxy_next_upstream_tries is the limit.
      balancer.set_more_tries(1)
      local ok, err = balancer.set_current_peer(peer.host, peer.port)
      if not ok then ngx.log(ngx.ERR, "set_current_peer: ", err) end
    }
    keepalive ${d.keepAliveConnections};
    keepalive_time 1h;
    keepalive_timeout ${options.upstreamKeepAliveTimeoutS}s;
    keepalive_requests ${d.keepAliveRequests};
  }

  server {
    listen 127.0.0.1:${port} backlog=4096;
    # ingress-nginx's client side: keep-alive-requests 1000, keep-alive 75 s.
    keepalive_timeout 75s;
    keepalive_requests 1000;
    location / {
      rewrite_by_lua_block {
        -- ingress-nginx answers 503 when a backend has no endpoint.
        if #ingress.peers == 0 then return ngx.exit(503) end
      }
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_connect_timeout 5s;
      proxy_send_timeout 60s;
      proxy_read_timeout 60s;
      proxy_buffering off;
      proxy_next_upstream ${options.retry ? 'error timeout' : 'off'};
      proxy_next_upstream_tries ${options.retry ? d.tries : 1};
      proxy_next_upstream_timeout 0;
      proxy_pass http://upstream_balancer;
    }
  }

  server {
    listen 127.0.0.1:${configPort};
    access_log off;
    client_max_body_size 1m;
    client_body_buffer_size 1m;
    location = /configuration/backends {
      content_by_lua_block {
        ngx.req.read_body()
        local configuration = ngx.shared.configuration
        local version = (configuration:get("version") or 0) + 1
        configuration:set("backends", ngx.req.get_body_data() or "")
        configuration:set("version", version)
        ngx.say(version)
      }
    }
    location = /configuration/applied {
      content_by_lua_block {
        -- The oldest version any worker still uses: the new one is in effect once all have it.
        local configuration = ngx.shared.configuration
        local oldest
        for id = 0, ngx.worker.count() - 1 do
          local version = configuration:get("applied:" .. id) or 0
          if oldest == nil or version < oldest then oldest = version end
        end
        ngx.say(oldest or 0)
      }
    }
  }
}
`;
}
