#!/usr/bin/env bash
# Puts the portal behind nginx with HTTPS: installs nginx (and certbot when asked), gets or
# checks the certificate, writes the site for the configured hostname from
# /usr/share/da/nginx/da-site.conf.template, lets nginx reach the portal's Unix socket, checks
# the result with `nginx -t` and only then reloads nginx. Run as root after setup.sh; safe to
# run again (a run with nothing to do says so).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: webapp-setup.sh (--self-signed | --cert FILE --key FILE | --certbot --email ADDRESS)
                       [--hostname NAME] [--config-dir DIR]

Serves the portal over HTTPS through nginx (run as root, after setup.sh; idempotent).

Certificate, one of:
  --self-signed        a certificate made here (openssl), for an internal host; clients
                       need it (or your CA) to trust the site: da pull --cacert FILE
  --cert FILE --key FILE
                       a certificate (PEM, with its chain) and its key, used where they are
  --certbot --email ADDRESS
                       Let's Encrypt for a public host: port 80 must reach this machine
                       under the hostname; renewals reload nginx

  --hostname NAME      the site's name (default: server.hostname in instance.yaml)
  --config-dir DIR     the instance's config folder (default: as setup.sh chose)
  -h, --help           this text

The site (/etc/nginx/sites-available/da.conf): HTTPS for the hostname with HTTP redirected
(except /.well-known/acme-challenge/), the portal over its Unix socket (server.listen) under
server.base_url's path, /ws/notifications to da ws-gateway (notifications.ws_listen), HSTS,
and a default server that answers no other name. nginx's group (www-data) may open the
portal's socket (a drop-in for da-portal.service); nothing else is added to any group.
EOF
}

readonly DEFAULT_CONFIG_DIR=/opt/data-analyst/config
readonly DA=/usr/bin/da
readonly SHARE=/usr/share/da
readonly SITE=/etc/nginx/sites-available/da.conf
readonly SITE_LINK=/etc/nginx/sites-enabled/da.conf
readonly SNIPPET=/etc/nginx/snippets/da-security-headers.conf
readonly ACME_ROOT=/var/www/da-acme
readonly PORTAL_DROPIN=/etc/systemd/system/da-portal.service.d/nginx-socket.conf
readonly NGINX_GROUP=www-data

MODE=""
CERT=""
KEY=""
EMAIL=""
HOST=""
CONFIG_DIR=""
CHANGES=0
NGINX_CHANGED=0

die() { echo "webapp-setup: $*" >&2; exit 1; }
changed() { echo "webapp-setup: $*"; CHANGES=$((CHANGES + 1)); }
note() { echo "webapp-setup: $*"; }

set_mode() {
  [[ -z "$MODE" || "$MODE" == "$1" ]] || die "choose one of --self-signed, --cert/--key and --certbot"
  MODE="$1"
}

parse_arguments() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --self-signed) set_mode self-signed; shift ;;
      --cert) set_mode given; CERT="${2:?--cert needs a FILE}"; shift 2 ;;
      --key) set_mode given; KEY="${2:?--key needs a FILE}"; shift 2 ;;
      --certbot) set_mode certbot; shift ;;
      --email) EMAIL="${2:?--email needs an address}"; shift 2 ;;
      --hostname) HOST="${2:?--hostname needs a name}"; shift 2 ;;
      --config-dir) CONFIG_DIR="${2:?--config-dir needs a folder}"; shift 2 ;;
      -h|--help) usage; exit 0 ;;
      *) usage >&2; die "unknown argument '$1'" ;;
    esac
  done
  [[ -n "$MODE" ]] || { usage >&2; die "choose a certificate: --self-signed, --cert FILE --key FILE or --certbot"; }
  if [[ "$MODE" == given ]]; then
    [[ -n "$CERT" && -n "$KEY" ]] || die "--cert and --key go together"
    CERT=$(readlink -f "$CERT"); KEY=$(readlink -f "$KEY")
  fi
  [[ "$MODE" != certbot || -n "$EMAIL" ]] || die "--certbot needs --email ADDRESS (Let's Encrypt's expiry notices)"
  if [[ -z "$CONFIG_DIR" ]]; then
    CONFIG_DIR=$DEFAULT_CONFIG_DIR
    if [[ -f /etc/default/da ]] && grep -q '^DA_CONFIG_DIR=' /etc/default/da; then
      CONFIG_DIR=$(grep '^DA_CONFIG_DIR=' /etc/default/da | tail -n 1 | cut -d= -f2-)
    fi
  fi
}

# ---- the instance's settings ----------------------------------------------------------------

# KEY's value (a list: one item per line), or `default` when it is not set.
config_value() {
  local key="$1" default="$2" value status
  set +e
  value=$("$DA" --config "$CONFIG_DIR" config get "$key")
  status=$?
  set -e
  case $status in
    0) echo "$value" ;;
    1) echo "$default" ;;
    *) die "cannot read $key: fix $CONFIG_DIR/instance.yaml (da --config $CONFIG_DIR config check)" ;;
  esac
}

# Fills SITE_* with what the site needs, checking that the portal is set up to sit behind it.
read_settings() {
  [[ -x "$DA" ]] || die "$DA is missing: run setup.sh first"
  [[ -n "$HOST" ]] || HOST=$(config_value server.hostname "")
  [[ -n "$HOST" ]] || die "no hostname: set server.hostname in $CONFIG_DIR/instance.yaml or give --hostname"
  [[ "$HOST" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] || die "'$HOST' is not a DNS name"

  local base_url origin path
  base_url=$(config_value server.base_url "")
  if [[ -z "$base_url" ]]; then
    origin="https://$HOST"; path=/
  else
    [[ "$base_url" =~ ^https://([^/]+)(/.*)?$ ]] \
      || die "server.base_url is '$base_url': behind nginx with TLS it must be https://${HOST}[/path]"
    origin="https://${BASH_REMATCH[1]}"
    path="${BASH_REMATCH[2]:-/}"
    local authority="${BASH_REMATCH[1]}"
    [[ "${authority%%:*}" == "$HOST" ]] \
      || die "server.base_url ($base_url) names another host than $HOST: links in mails would point there"
    [[ "$path" =~ ^[A-Za-z0-9/_.~-]*$ ]] || die "server.base_url's path '$path' has characters a location cannot hold"
    [[ "$path" == */ ]] || path="$path/"
  fi
  SITE_ORIGIN=$origin
  SITE_BASE_PATH=$path

  local listen
  listen=$(config_value server.listen "")
  [[ "$listen" == unix:/* ]] \
    || die "server.listen is '$listen': behind nginx the portal listens on a Unix socket; set listen: unix:/run/da/portal.sock in $CONFIG_DIR/instance.yaml"
  SITE_PORTAL_SOCKET=${listen#unix:}
  local proxies
  proxies=$(config_value server.trusted_proxies "")
  [[ $'\n'"$proxies"$'\n' == *$'\n'unix$'\n'* ]] \
    || die "server.trusted_proxies does not list unix: the portal would see every client as nginx; set trusted_proxies: [unix, 127.0.0.1] in $CONFIG_DIR/instance.yaml"

  local ws
  ws=$(config_value notifications.ws_listen 127.0.0.1:8765)
  [[ "$ws" =~ ^(0\.0\.0\.0|\[::\])?:?([0-9]+)$ ]] && ws="127.0.0.1:${BASH_REMATCH[2]}"
  local address_port='^[][A-Za-z0-9.:-]+:[0-9]+$'
  [[ "$ws" =~ $address_port ]] || die "notifications.ws_listen '$ws' is not address:port"
  SITE_WS_UPSTREAM=$ws

  SITE_MAX_BODY_KB=$(config_value server.max_body_kb 1024)
  [[ "$SITE_MAX_BODY_KB" =~ ^[0-9]+$ ]] || die "server.max_body_kb '$SITE_MAX_BODY_KB' is not a number"
}

# ---- packages -------------------------------------------------------------------------------

ensure_packages() {
  local missing=() package status
  for package in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$package")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || die "apt-get update failed"
  apt-get install -y -q --no-install-recommends "${missing[@]}" || die "apt-get could not install ${missing[*]}"
  changed "installed ${missing[*]}"
}

# ---- certificates ---------------------------------------------------------------------------

certificate_matches_host() {
  local answer
  answer=$(openssl x509 -in "$1" -noout -checkhost "$HOST" 2>/dev/null) || return 1
  [[ "$answer" == *"does match"* ]]
}

# Makes (or keeps) a self-signed certificate for HOST; sets SITE_CERTIFICATE and SITE_KEY.
self_signed_certificate() {
  local cert="/etc/ssl/da/$HOST.crt" key="/etc/ssl/private/da-$HOST.key"
  SITE_CERTIFICATE=$cert
  SITE_KEY=$key
  if [[ -f "$cert" && -f "$key" ]] \
     && certificate_matches_host "$cert" \
     && openssl x509 -in "$cert" -noout -checkend $((30 * 86400)) >/dev/null; then
    return 0
  fi
  install -d -m 0755 /etc/ssl/da
  install -d -m 0710 /etc/ssl/private
  local tmp
  tmp=$(mktemp -d)
  (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
     -days 825 -subj "/CN=$HOST" -addext "subjectAltName=DNS:$HOST" \
     -addext "extendedKeyUsage=serverAuth" \
     -keyout "$tmp/key" -out "$tmp/crt" >/dev/null 2>&1) || { rm -rf "$tmp"; die "openssl could not make a certificate"; }
  install -m 0600 -o root -g root "$tmp/key" "$key"
  install -m 0644 -o root -g root "$tmp/crt" "$cert"
  rm -rf "$tmp"
  changed "made a self-signed certificate for $HOST ($cert, valid 825 days); clients trust it with da pull --cacert $cert"
}

given_certificate() {
  [[ -f "$CERT" ]] || die "no certificate at $CERT"
  [[ -f "$KEY" ]] || die "no key at $KEY"
  openssl x509 -in "$CERT" -noout >/dev/null 2>&1 || die "$CERT is not a PEM certificate"
  [[ "$(openssl x509 -in "$CERT" -noout -pubkey)" == "$(openssl pkey -in "$KEY" -pubout 2>/dev/null)" ]] \
    || die "the key $KEY does not belong to the certificate $CERT"
  certificate_matches_host "$CERT" \
    || die "the certificate $CERT is not for $HOST"
  openssl x509 -in "$CERT" -noout -checkend 0 >/dev/null || die "the certificate $CERT has expired"
  local mode
  mode=$(stat -L -c %a "$KEY")
  (( 8#$mode & 8#077 )) && die "the key $KEY is readable by others ($mode): chmod 600 it"
  SITE_CERTIFICATE=$CERT
  SITE_KEY=$KEY
}

letsencrypt_paths() {
  SITE_CERTIFICATE="/etc/letsencrypt/live/$HOST/fullchain.pem"
  SITE_KEY="/etc/letsencrypt/live/$HOST/privkey.pem"
}

# ---- the site -------------------------------------------------------------------------------

# The template with this site's values (see its header for the rules).
render_site() {
  local http_listen="80 [::]:80" https_listen="443 [::]:443"
  SUBPATH=$([[ "$SITE_BASE_PATH" != / ]] && echo 1 || echo 0) \
  V_HOSTNAME=$HOST V_HTTPS_ORIGIN=$SITE_ORIGIN V_BASE_PATH=$SITE_BASE_PATH \
  V_PORTAL_SOCKET=$SITE_PORTAL_SOCKET V_WS_UPSTREAM=$SITE_WS_UPSTREAM \
  V_CERTIFICATE=$SITE_CERTIFICATE V_CERTIFICATE_KEY=$SITE_KEY V_ACME_ROOT=$ACME_ROOT \
  V_MAX_BODY_KB=$SITE_MAX_BODY_KB HTTP_LISTEN=$http_listen HTTPS_LISTEN=$https_listen \
  awk '
    function fill(line,   name, value) {
      while (match(line, /@[A-Z_]+@/)) {
        name = substr(line, RSTART + 1, RLENGTH - 2)
        if (!(("V_" name) in ENVIRON)) { print "unknown placeholder @" name "@" > "/dev/stderr"; exit 3 }
        value = ENVIRON["V_" name]
        line = substr(line, 1, RSTART - 1) value substr(line, RSTART + RLENGTH)
      }
      return line
    }
    function repeat(line, key, list,   n, parts, i) {
      n = split(list, parts, " ")
      for (i = 1; i <= n; i++) { copy = line; sub("@" key "@", parts[i], copy); print fill(copy) }
    }
    / # @IF_SUBPATH@$/ { if (ENVIRON["SUBPATH"] != 1) next; sub(/ # @IF_SUBPATH@$/, "") }
    /@HTTP_LISTEN@/ { repeat($0, "HTTP_LISTEN", ENVIRON["HTTP_LISTEN"]); next }
    /@HTTPS_LISTEN@/ { repeat($0, "HTTPS_LISTEN", ENVIRON["HTTPS_LISTEN"]); next }
    { print fill($0) }
  ' "$SHARE/nginx/da-site.conf.template"
}

# Writes `content` to `target` when it differs; the previous file is kept as target.previous
# until nginx accepted the new one.
install_content() {
  local target="$1" content="$2"
  if [[ -f "$target" ]] && [[ "$(cat "$target")" == "$content" ]]; then return 0; fi
  mkdir -p "$(dirname "$target")"
  [[ -f "$target" ]] && cp -p "$target" "$target.previous"
  printf '%s\n' "$content" >"$target.new"
  chmod 0644 "$target.new"
  mv "$target.new" "$target"
  changed "wrote $target"
  NGINX_CHANGED=1
}

restore_previous() {
  local file
  for file in "$SITE" "$SNIPPET"; do
    if [[ -f "$file.previous" ]]; then mv "$file.previous" "$file"; fi
  done
}

write_site() {
  install -d -m 0755 "$ACME_ROOT"
  local site snippet
  site=$(render_site) || die "cannot fill in $SHARE/nginx/da-site.conf.template"
  snippet=$(cat "$SHARE/nginx/da-security-headers.conf")
  install_content "$SNIPPET" "$snippet"
  install_content "$SITE" "$site"
  if [[ "$(readlink "$SITE_LINK" 2>/dev/null)" != "$SITE" ]]; then
    ln -sfn "$SITE" "$SITE_LINK"
    changed "enabled the site ($SITE_LINK)"
    NGINX_CHANGED=1
  fi
  # Debian's own site claims default_server on port 80 too.
  if [[ -L /etc/nginx/sites-enabled/default ]]; then
    rm /etc/nginx/sites-enabled/default
    changed "disabled nginx's default site"
    NGINX_CHANGED=1
  fi
  local output
  if ! output=$(nginx -t 2>&1); then
    restore_previous
    echo "$output" >&2
    die "nginx -t refused the new configuration (above); the previous site is back in place"
  fi
  rm -f "$SITE.previous" "$SNIPPET.previous"
}

systemd_running() { [[ -d /run/systemd/system ]]; }

reload_nginx() {
  if systemd_running; then
    if [[ "$(systemctl is-enabled nginx 2>/dev/null || true)" != enabled ]]; then
      systemctl enable --quiet nginx
      changed "enabled nginx"
    fi
    if ! systemctl is-active --quiet nginx; then
      systemctl start nginx || die "nginx did not start: systemctl status nginx"
      changed "started nginx"
    elif [[ $NGINX_CHANGED == 1 ]]; then
      systemctl reload nginx || die "nginx did not reload: systemctl status nginx"
      note "reloaded nginx"
    fi
  elif [[ $NGINX_CHANGED == 1 ]]; then
    if [[ -f /run/nginx.pid ]] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
      nginx -s reload
      note "reloaded nginx"
    else
      note "systemd is not running here: nginx starts with the new site at boot"
    fi
  fi
}

# The portal's socket is da's (0660); its group becomes nginx's, so that nginx, and no one
# else, may connect. (Adding www-data to group da instead would let nginx read config/.env.)
write_portal_dropin() {
  local content="# Written by webapp-setup.sh: nginx ($NGINX_GROUP) connects to the portal's socket.
[Service]
ExecStartPost=+/bin/chgrp $NGINX_GROUP $SITE_PORTAL_SOCKET"
  if [[ -f "$PORTAL_DROPIN" ]] && [[ "$(cat "$PORTAL_DROPIN")" == "$content" ]]; then return 0; fi
  mkdir -p "$(dirname "$PORTAL_DROPIN")"
  printf '%s\n' "$content" >"$PORTAL_DROPIN"
  chmod 0644 "$PORTAL_DROPIN"
  changed "wrote $PORTAL_DROPIN"
  if systemd_running; then
    systemctl daemon-reload
    if systemctl is-active --quiet da-portal; then systemctl restart da-portal; fi
  fi
}

# certbot needs the site answering on port 80 first: with no Let's Encrypt certificate yet
# the site starts on a self-signed one, which the real one then replaces.
certbot_certificate() {
  letsencrypt_paths
  [[ -f "$SITE_CERTIFICATE" ]] && return 0
  self_signed_certificate
  write_site
  reload_nginx
  certbot certonly --webroot -w "$ACME_ROOT" -d "$HOST" --email "$EMAIL" --agree-tos \
    --non-interactive --deploy-hook "systemctl reload nginx" \
    || die "certbot could not get a certificate for $HOST (is port 80 of $HOST this machine?)"
  changed "got a Let's Encrypt certificate for $HOST"
  letsencrypt_paths
}

main() {
  parse_arguments "$@"
  [[ $(id -u) -eq 0 ]] || die "run as root (it installs nginx and writes its configuration)"
  cd /
  read_settings
  local packages=(nginx openssl)
  [[ "$MODE" == certbot ]] && packages+=(certbot)
  ensure_packages "${packages[@]}"
  case "$MODE" in
    self-signed) self_signed_certificate ;;
    given) given_certificate ;;
    certbot) certbot_certificate ;;
  esac
  write_site
  write_portal_dropin
  reload_nginx
  if [[ $CHANGES -eq 0 ]]; then
    note "nothing to change"
  else
    note "$CHANGES change(s); the portal is at $SITE_ORIGIN$SITE_BASE_PATH"
  fi
}

main "$@"
