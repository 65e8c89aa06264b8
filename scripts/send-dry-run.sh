#!/bin/sh
# 'make send-dry-run': what 'git send-email' would send of patches/, without
# sending anything (--dry-run). Checks that every mail goes out, with its
# "[PATCH vN M/T]" subject, to every address scripts/get_maintainer.pl gives
# for it, the cover letter to the union of them, and prints a line per mail.
#
# To send for real, as the submitter, from the kernel tree (build/linux):
#   git send-email patches/0000-cover-letter.patch $(sed 's|^|patches/|' patches/series)
# The To: and Cc: lines are already in the files (scripts/export.sh).
. "$(dirname "$0")/common.sh"

p=${PATCHES:-$top/patches}
[ -f "$p/series" ] || die "no $p/series (run 'make export')"
git send-email --dump-aliases >/dev/null 2>&1 ||
	die "git send-email does not run (Debian: git-email, libmailtools-perl)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
files="$p/0000-cover-letter.patch $(sed "s|^|$p/|" "$p/series")"

# shellcheck disable=SC2086 # one word per file
(cd "$tree" && git send-email --dry-run --confirm=never --no-validate \
	--from="Submitter <submitter@example.invalid>" $files) \
	> "$tmp/out" 2>&1 || { cat "$tmp/out"; die "git send-email --dry-run failed"; }

# One file per mail: its subject and its recipients
awk -v dir="$tmp/" '
	/^Dry-OK. Log says:/ { n++; f = sprintf("%smail%02d", dir, n); next }
	n && /^RCPT TO:</ { sub(/^RCPT TO:</, ""); sub(/>.*/, ""); print > f; next }
	n && /^Subject: / { print > (f ".subject") }' "$tmp/out"

count=$(($(grep -c . "$p/series") + 1))
sent=$(find "$tmp" -name 'mail[0-9][0-9]' | wc -l)
[ "$sent" = "$count" ] || die "git send-email would send $sent mails, not $count"

# addresses PATCH...: what get_maintainer.pl gives for PATCHes, bare
addresses() {
	(cd "$tree" && scripts/get_maintainer.pl --no-git --no-git-fallback \
		--norolestats --no-tree "$@") |
		sed 's/.*<\(.*\)>.*/\1/' | sort -u
}

bad=0
i=0
total=$((count - 1))
for f in $files; do
	i=$((i + 1))
	mail=$tmp/$(printf 'mail%02d' "$i")
	subject=$(sed 's/^Subject: //' "$mail.subject")
	n=$(printf '%02d/%02d' $((i - 1)) "$total")
	case $subject in
	"[PATCH v"*" $n] "*) ;;
	*) say "mail $i has the subject '$subject', expected '[PATCH vN $n] ...'"; bad=1 ;;
	esac
	if [ "$i" = 1 ]; then
		# shellcheck disable=SC2046 # one word per patch
		addresses $(sed "s|^|$p/|" "$p/series") > "$tmp/want"
	else
		addresses "$f" > "$tmp/want"
	fi
	sort -u "$mail" > "$tmp/got"
	missing=$(comm -23 "$tmp/want" "$tmp/got" | tr '\n' ' ')
	[ -z "$missing" ] || { say "${f##*/} would not reach: $missing"; bad=1; }
	printf '%s\n    %d recipients: %s\n' "$subject" "$(wc -l < "$tmp/got")" \
		"$(tr '\n' ' ' < "$tmp/got")"
done
[ $bad = 0 ] || die "the mails are not what they should be (see above)"
say "$count mails would be sent (nothing was): each to everyone get_maintainer.pl names for it"
