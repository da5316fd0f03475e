#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# mkpki.sh: a lab PKI for xdpfleet with openssl: a CA, agent certificates with SANs, and client
# certificates whose identities (CN, SAN DNS/URI) map to roles with xdpfleetd's
# --admin-identity / --viewer-identity. For labs and tests; use your own PKI in production.
#
#   mkpki.sh DIR ca                            DIR/ca.pem, DIR/ca.key (kept if present)
#   mkpki.sh DIR agent NAME ADDR...            DIR/NAME.pem/.key, serverAuth, SAN IP/DNS per ADDR
#   mkpki.sh DIR client NAME [ID...]           DIR/NAME.pem/.key, clientAuth, CN=NAME, SAN per ID
#                                              (spiffe://... or other URIs: URI SAN; else DNS)
# Options before DIR: --days N (validity, default 365), --expired (valid only in 2020: for
# tests of refused certificates), --ca-name NAME (another CA in the same DIR: NAME.pem/.key).
set -euo pipefail

days=365 expired=0 ca=ca
while [[ ${1:-} == --* ]]; do
	case $1 in
	--days) days=$2; shift 2 ;;
	--expired) expired=1; shift ;;
	--ca-name) ca=$2; shift 2 ;;
	*) echo "mkpki.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
(($# >= 2)) || { sed -n '2,13p' "$0" >&2; exit 2; }
dir=$1 what=$2
shift 2
mkdir -p "$dir"
umask 077

make_ca()
{
	[[ -f $dir/$ca.pem ]] && return 0
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$days" \
		-subj "/CN=xdpfleet lab CA $ca" -keyout "$dir/$ca.key" -out "$dir/$ca.pem" 2> /dev/null
}

# sign NAME CN EXTENSIONS: a key and a certificate signed by the CA.
sign()
{
	local name=$1 cn=$2 ext=$3 tmp
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # expand now: the path is fixed
	trap "rm -rf '$tmp'" RETURN
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$cn" \
		-keyout "$dir/$name.key" -out "$tmp/req.csr" 2> /dev/null
	printf '%s\n' "$ext" > "$tmp/ext.cnf"
	if ((expired)); then
		# Only `openssl ca` can backdate: a throwaway database for this one certificate.
		touch "$tmp/index.txt"
		cat > "$tmp/ca.cnf" <<-EOF
		[ca]
		default_ca = lab
		[lab]
		database = $tmp/index.txt
		new_certs_dir = $tmp
		serial = $tmp/serial
		default_md = sha256
		policy = any
		copy_extensions = none
		[any]
		commonName = supplied
		EOF
		openssl rand -hex 8 > "$tmp/serial"
		openssl ca -batch -config "$tmp/ca.cnf" -cert "$dir/$ca.pem" -keyfile "$dir/$ca.key" \
			-startdate 20200101000000Z -enddate 20200102000000Z -extfile "$tmp/ext.cnf" \
			-in "$tmp/req.csr" -out "$dir/$name.pem" 2> /dev/null
	else
		openssl x509 -req -in "$tmp/req.csr" -CA "$dir/$ca.pem" -CAkey "$dir/$ca.key" \
			-CAcreateserial -days "$days" -extfile "$tmp/ext.cnf" -out "$dir/$name.pem" 2> /dev/null
	fi
}

# sans KIND ADDR...: "subjectAltName=IP:..,DNS:..,URI:.." (empty with no ADDR).
sans()
{
	local out='' a
	for a in "$@"; do
		if [[ $a =~ ^[0-9.]+$ || $a == *:*:* && $a != *://* ]]; then
			out+="${out:+,}IP:$a"
		elif [[ $a == *://* ]]; then
			out+="${out:+,}URI:$a"
		else
			out+="${out:+,}DNS:$a"
		fi
	done
	[[ -n $out ]] && echo "subjectAltName=$out"
	return 0
}

case $what in
ca)
	make_ca
	;;
agent)
	(($# >= 2)) || { echo "mkpki.sh: agent NAME ADDR... (the addresses clients dial)" >&2; exit 2; }
	make_ca
	name=$1; shift
	sign "$name" "$name" "$(sans "$@")
extendedKeyUsage=serverAuth"
	;;
client)
	(($# >= 1)) || { echo "mkpki.sh: client NAME [ID...]" >&2; exit 2; }
	make_ca
	name=$1; shift
	sign "$name" "$name" "$(sans "$@")
extendedKeyUsage=clientAuth"
	;;
*)
	echo "mkpki.sh: unknown command '$what' (ca, agent, client)" >&2
	exit 2
	;;
esac
