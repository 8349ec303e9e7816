#!/bin/sh
# clinic's entrypoint for the postgres image: on first start, make the TLS files, then hand over
# to the image's own docker-entrypoint.sh (which runs initdb on an empty volume and starts the
# server).
#
# The files live in the volume beside the data directory:
#   tls/ca.crt      the certificate authority desks trust (sslrootcert, sslmode = "verify-full")
#   tls/server.crt  the server's certificate, for every name in CLINIC_TLS_NAMES
#   tls/server.key  its private key (postgres only, mode 600)
# The authority's own key is thrown away once it has signed, so nobody can make another
# certificate desks would trust. To use the clinic's own certificate instead, put its chain in
# server.crt and its key in server.key (and the issuer in ca.crt for the desks) and restart; to
# make new ones, remove tls/ and restart.
#
# Run by hand, `start.sh --tls-only DIR NAMES` only makes the files in DIR (for checking them).
set -eu

make_tls() {
  dir=$1
  names=$2
  if [ -s "$dir/server.crt" ] && [ -s "$dir/server.key" ]; then
    return 0
  fi
  command -v openssl >/dev/null 2>&1 || {
    echo "start.sh: openssl is missing: put server.crt and server.key in $dir yourself" >&2
    exit 1
  }
  mkdir -p "$dir"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # subjectAltName from the comma-separated names: addresses as IP:, the rest as DNS:.
  san=""
  first=""
  for n in $(echo "$names" | tr ',' ' '); do
    case "$n" in
      *[!0-9.]*) case "$n" in *:*) entry="IP:$n" ;; *) entry="DNS:$n" ;; esac ;;
      *) entry="IP:$n" ;;
    esac
    san="${san:+$san,}$entry"
    [ -n "$first" ] || first=$n
  done
  [ -n "$san" ] || { echo "start.sh: CLINIC_TLS_NAMES names no host" >&2; exit 1; }
  umask 077
  openssl req -x509 -newkey rsa:3072 -sha256 -nodes -days 3650 \
    -subj "/CN=clinic database CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
  openssl req -newkey rsa:3072 -sha256 -nodes -subj "/CN=$first" \
    -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
  printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' \
    "$san" > "$work/ext.cnf"
  openssl x509 -req -sha256 -days 3650 -in "$work/server.csr" -CA "$work/ca.crt" \
    -CAkey "$work/ca.key" -CAcreateserial -extfile "$work/ext.cnf" -out "$work/server.crt" 2>/dev/null
  cp "$work/ca.crt" "$work/server.crt" "$work/server.key" "$dir/"
  chmod 644 "$dir/ca.crt" "$dir/server.crt"
  chmod 600 "$dir/server.key"
  rm -rf "$work"
  trap - EXIT
  echo "start.sh: made a TLS certificate for $san; desks trust $dir/ca.crt" >&2
}

if [ "${1:-}" = "--tls-only" ]; then
  make_tls "$2" "$3"
  exit 0
fi

tls_dir="$(dirname "${PGDATA:-/var/lib/postgresql/data/pgdata}")/tls"
make_tls "$tls_dir" "${CLINIC_TLS_NAMES:-localhost,127.0.0.1}"
if [ "$(id -u)" = 0 ]; then
  chown -R postgres:postgres "$tls_dir"
fi
exec docker-entrypoint.sh "$@"
