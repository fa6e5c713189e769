-- Sidekey passdb for Dovecot 2.3 (Debian 12 ships 2.3.19): every IMAP/POP3/submission
-- login with a plaintext mechanism (PLAIN, LOGIN) is checked against Sidekey's JSON
-- verify endpoint, POST /auth/verify, with this relying service's key.
--
-- HTTP comes from Dovecot itself: `dovecot.http` (lib-lua's binding of Dovecot's own
-- HTTP client, in Debian's dovecot-auth-lua since 2.3.19), so nothing beyond
-- dovecot-auth-lua and lua-cjson (for JSON) needs installing, and the request runs in
-- Dovecot's event loop with its timeouts. Requests block until answered, so this passdb
-- runs in auth worker processes (`blocking=yes`): a slow Sidekey holds up one worker,
-- never the whole auth process.
--
-- Configuration, from the environment Dovecot gives its processes (import_environment,
-- see sidekey.conf beside this file):
--   SIDEKEY_URL               where Sidekey listens, e.g. http://127.0.0.1:3000
--   SIDEKEY_SERVICE_KEY_FILE  a file holding the key `sidekey service add <name>` printed,
--                             readable only by root and Dovecot's auth user
-- The key is read from a file so it never shows in `doveconf -n` or a process listing.
--
-- Fails closed: a login is accepted only on Sidekey's explicit 200 {"ok":true}. Anything
-- else (Sidekey down, a timeout, a refused service key, a reply that does not parse) is a
-- temporary failure the client is told to retry, logged for the operator; never a success.

local json = require("cjson")

local verify_url
local service_key
local client

-- Dovecot service names → the services Sidekey knows (an app password's scopes are granted
-- per service; SMTP AUTH through Dovecot's submission service or Postfix's SASL is "smtp").
local SERVICES = { imap = "imap", pop3 = "pop3", submission = "smtp", smtp = "smtp" }

local function read_key(path)
  local file = io.open(path, "r")
  if file == nil then
    return nil
  end
  local key = file:read("*l")
  file:close()
  if key == nil then
    return nil
  end
  return (key:gsub("^%s+", ""):gsub("%s+$", ""))
end

-- Called once when Dovecot loads the script; non-zero refuses to start with a clear log line
-- rather than failing every login later.
function script_init()
  local url = os.getenv("SIDEKEY_URL")
  local key_file = os.getenv("SIDEKEY_SERVICE_KEY_FILE")
  if url == nil or url == "" then
    dovecot.i_error("sidekey: SIDEKEY_URL is not set; add it to import_environment")
    return 1
  end
  if key_file == nil or key_file == "" then
    dovecot.i_error("sidekey: SIDEKEY_SERVICE_KEY_FILE is not set; add it to import_environment")
    return 1
  end
  service_key = read_key(key_file)
  if service_key == nil or service_key == "" then
    dovecot.i_error("sidekey: cannot read a service key from " .. key_file)
    return 1
  end
  verify_url = url:gsub("/+$", "") .. "/auth/verify"
  return 0
end

-- One client per auth worker, created on first use, so its kept-alive connection to Sidekey
-- serves the following logins (a login then costs one round trip, no TCP handshake).
local function http_client()
  if client == nil then
    client = dovecot.http.client({
      user_agent = "dovecot-sidekey-passdb",
      connect_timeout_msecs = 2000,
      request_absolute_timeout_msecs = 5000,
      -- Below Node's 5 s keep-alive timeout: Dovecot drops an idle connection before
      -- Sidekey's server does, so a request never lands on a socket being closed.
      max_idle_time_msecs = 4000,
    })
  end
  return client
end

local function optional(value)
  if value == nil or value == "" then
    return nil
  end
  return value
end

function auth_password_verify(req, password)
  local service = SERVICES[req.service]
  if service == nil then
    req:log_error("sidekey: no Sidekey service for Dovecot service " .. tostring(req.service))
    return dovecot.auth.PASSDB_RESULT_INTERNAL_FAILURE, ""
  end

  local request = http_client():request({ url = verify_url, method = "POST" })
  request:add_header("Content-Type", "application/json")
  request:add_header("Authorization", "Bearer " .. service_key)
  request:set_payload(json.encode({
    username = req.user,
    password = password,
    service = service,
    remoteAddress = optional(req.remote_ip),
    -- The client's IMAP ID (name/version), when it sent one before logging in.
    userAgent = optional(req:var_expand("%{client_id}")),
  }))
  local response = request:submit()
  local status = response:status()

  local decoded, answer = pcall(json.decode, response:payload())
  if not decoded or type(answer) ~= "table" then
    answer = {}
  end

  if status == 200 and answer.ok == true then
    -- Sidekey's spelling of the account name, so mail lands in one mailbox whatever case
    -- the app typed it in, and revocation events name the same user Dovecot knows.
    local fields = {}
    if type(answer.username) == "string" and answer.username ~= "" then
      fields.user = answer.username
    end
    return dovecot.auth.PASSDB_RESULT_OK, fields
  end

  local reason = type(answer.reason) == "string" and answer.reason or "no reason given"
  if status == 401 and reason == "throttled" then
    -- Too many failures for this account or address: a temporary failure, so the app
    -- retries later instead of asking its owner for a new password.
    req:log_info("sidekey: throttled, try again later")
    return dovecot.auth.PASSDB_RESULT_INTERNAL_FAILURE, ""
  end
  if status == 401 and reason ~= "service_unauthorized" then
    -- invalid, revoked, expired, scope_denied: the caller may log the reason; the client
    -- only learns that authentication failed.
    req:log_info("sidekey: refused (" .. reason .. ")")
    return dovecot.auth.PASSDB_RESULT_PASSWORD_MISMATCH, ""
  end
  -- The service key was refused, Sidekey is unreachable (Dovecot reports its own errors as
  -- statuses >= 9000), or it answered something unexpected: the operator must look.
  req:log_error("sidekey: verification failed: HTTP " .. status .. " (" .. reason .. ")")
  return dovecot.auth.PASSDB_RESULT_INTERNAL_FAILURE, ""
end
