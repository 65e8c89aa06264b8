#!/bin/sh
# Build every patch of the series in order (bisectability) and compare the
# W=1, sparse and kernel-doc warnings of what each patch changes with its
# parent's: scripts/build-series.sh ARCH
#
# The build it uses (OUT below) is one of the kernels that 'make check'
# builds anyway, the smallest that builds what the series changes for ARCH:
#  - x86_64: the extra build, build/l2-x86_64 (configs/x86_64-l2.config:
#    the driver =m, MEMORY_FAILURE=n, no KVM). In the guest kernel's build
#    (KASAN, about 1,200 objects) every patch paid for a tree walk and a
#    link several times as large. What that config adds for the series,
#    memory failure and GHES, is built at every patch by arm64 and at the
#    whole series by build/x86_64.
#  - arm64: the guest kernel, build/arm64: KVM, GHES, memory failure, all =y.
# Between them every file of the series is built at every patch, with
# modules and without, with MEMORY_FAILURE and without.
#
# It builds OUT first if it has no kernel (scripts/kernel.sh), then uses it:
# the base and each commit are checked out in build/linux in turn and built
# incrementally in OUT ('make vmlinux',
# and 'modules' with CONFIG_MODULES): every object whose source, header or
# config symbols the patch changes is rebuilt and vmlinux is linked, so a
# patch that breaks the build or the link fails. Boot images are not made:
# OUT keeps the whole series' image, but its objects are a mix, and
# the headers whose timestamps were set back (below) are touched at the
# end, so that the next build of OUT rebuilds what depends on them.
#
# One exception keeps this within the time budget: a header that more
# than WIDE (200) objects include, include/linux/mm.h, would make every
# patch that changes it a full rebuild. For such a header only the objects
# of the files the series changes are rebuilt (they all include it), and
# its timestamp is set back so that the others are not. A break that only
# shows in a file the series never changes and that a later patch repairs
# is missed; one that lasts is caught by the full build of OUT.
#
# Warnings: for each patch, the objects of the C files it changes, and of
# the series' C files that include a header it changes, are compiled with
# W=1 C=1 (gcc W=1 with kernel-doc, and sparse); their warnings are
# compared with what the same objects gave at the parent, and kernel-doc
# -none runs on the headers it changes. A patch may not add one: the new
# warnings are printed with file:line. The parent's counts of a file the
# base already has come from compiling it at the base.
#
# The tree must hold no work that patches/ does not (scripts/export-check.sh);
# it is left at its branch again.
. "$(dirname "$0")/common.sh"

[ $# = 1 ] || die "usage: build-series.sh ARCH"
arch=$1
case $arch in
x86_64)
	karch=x86_64 cross=
	out=$build/l2-x86_64 frags=$top/configs/x86_64-l2.config ;;
arm64)
	karch=arm64 cross=aarch64-linux-gnu-
	out=$build/arm64 frags= ;;
*) die "unknown ARCH '$arch'" ;;
esac
wide=${WIDE:-200}
# the arch/ directories this build does not read
others=$(cd "$tree/arch" && ls -d -- */ | tr -d / | grep -vx "${karch%_64}" |
	tr '\n' '|' | sed 's/|$//')
# shellcheck disable=SC2086 # no fragment: the default ones
[ -f "$out/vmlinux" ] || "$top/scripts/kernel.sh" "$arch" "$out" $frags ||
	die "the kernel in $out does not build"

"$top/scripts/export-check.sh" >/dev/null ||
	die "build/linux holds work that patches/ does not: see 'make export-check'"
branch=$(git -C "$tree" symbolic-ref --short HEAD) ||
	die "build/linux is not on a branch"
# At the end, or when interrupted: back to the branch, and the headers
# made old touched again
aged=$out/.series-aged-headers
: > "$aged"
restore() {
	git -C "$tree" checkout -q "$branch"
	sort -u "$aged" | while read -r h; do
		[ -f "$tree/$h" ] && touch "$tree/$h"
	done
	rm -f "$aged"
}
trap restore EXIT
trap 'exit 1' INT TERM

ccache_env
kmake() {
	make -C "$tree" O="$out" ARCH="$karch" CROSS_COMPILE="$cross" \
		CC="ccache ${cross}gcc" "$@"
}

logs=$build/series-$arch
rm -rf "$logs"
mkdir -p "$logs/w"

# The C files the series adds or changes, outside tools/
series_c=$(git -C "$tree" diff --name-only "$BASE_TAG" "$branch" -- '*.c' |
	grep -v '^tools/' || true)

# objects FILE...: the objects of these C files, where the tree has them
# and this config builds them
objects() {
	for f in "$@"; do
		[ -f "$tree/$f" ] && [ -f "$out/${f%.c}.o" ] && echo "${f%.c}.o"
	done
	return 0
}

# includers HEADER: the series' C files whose object depends on HEADER
includers() {
	for f in $series_c; do
		c=$out/$(dirname "$f")/.$(basename "${f%.c}").o.cmd
		[ -f "$c" ] && grep -qE "/$1( |\$)" "$c" && echo "$f"
	done
	return 0
}

# goto REV: check REV out. A header that more than $wide objects include
# gets an old timestamp, so that make does not rebuild them all for it.
goto() {
	hs=$(git -C "$tree" diff --name-only HEAD "$1" -- '*.h')
	git -C "$tree" checkout -q --detach "$1"
	for h in $hs; do
		[ -f "$tree/$h" ] || continue
		n=$(grep -rlE --include='.*.o.cmd' "/$h( |\$)" "$out" | wc -l)
		[ "$n" -gt "$wide" ] || continue
		touch -d '2000-01-01' "$tree/$h"
		echo "$h" >> "$aged"
		say "$h is included by $n objects: only the series' files are rebuilt for it"
	done
}

# w1 TAG OBJ...: compile OBJs with W=1 C=1 and record the warnings of each
# in $logs/w/OBJ (one line each, file:line: text, paths relative to the
# tree); make's --output-sync keeps each object's lines together. TAG names
# the log.
w1() {
	tag=$1
	shift
	[ $# -gt 0 ] || return 0
	for o in "$@"; do
		touch "$tree/${o%.o}.c"
	done
	kmake -j"${JOBS:-2}" --output-sync=target W=1 C=1 "$@" \
		> "$logs/$tag.log" 2>&1 || {
		tail -n 30 "$logs/$tag.log"
		die "W=1 C=1 build of $* failed ($logs/$tag.log)"
	}
	awk -v tree="$tree/" -v dir="$logs/w/" '
	/^  CC / { obj = $2; gsub("/", "%", obj); printf "" > (dir obj); next }
	/(warning|error):/ && obj != "" {
		sub("^" tree, "")
		print >> (dir obj)
	}' "$logs/$tag.log"
}

# warnings OBJ...: the recorded warnings of OBJs, without line numbers
warnings() {
	for o in "$@"; do
		f=$logs/w/$(echo "$o" | tr / %)
		[ -f "$f" ] && sed 's/^\([^:]*\):[0-9]*:[0-9:]*/\1:/' "$f"
	done | sort
	return 0
}

# kdoc FILE...: kernel-doc -none warnings of the headers among FILEs
kdoc() {
	for f in "$@"; do
		case $f in *.h) ;; *) continue ;; esac
		[ -f "$tree/$f" ] || continue
		"$tree/scripts/kernel-doc" -none "$tree/$f" 2>&1 |
			sed "s|^$tree/||; s/^\([^:]*\):[0-9]*:/\1:/"
	done | sort
	return 0
}

# configure: regenerate .config from the fragments (scripts/kernel.sh)
configure() {
	# shellcheck disable=SC2086
	TARGETS=none "$top/scripts/kernel.sh" "$arch" "$out" $frags \
		> "$logs/config.log" 2>&1 || {
		tail -n 30 "$logs/config.log"
		die "cannot configure $out"
	}
}

say "base: W=1 C=1 of the base's files that the series changes"
goto "$BASE_TAG"
configure
# shellcheck disable=SC2046 # one word per object
w1 base $(objects $series_c)

commits=$(git -C "$tree" rev-list --reverse "$BASE_TAG..$branch")
total=$(echo "$commits" | wc -l)
prev=$BASE_TAG
i=0
grew=0
for c in $commits; do
	i=$((i + 1))
	t0=$(date +%s)
	title="[$i/$total] $(git -C "$tree" log -1 --format='%h %s' "$c")"
	changed=$(git -C "$tree" diff --name-only "$prev" "$c")
	# what this arch's build reads: not tools/, the docs, another arch
	kfiles=$(echo "$changed" |
		grep -Ev "^(tools/|Documentation/|MAINTAINERS\$|arch/($others)/)" || true)
	prev=$c
	if [ -z "$kfiles" ]; then
		goto "$c"
		say "$title: changes nothing the $arch build reads"
		continue
	fi
	cfiles=$(echo "$kfiles" | grep '\.c$' || true)
	hfiles=$(echo "$kfiles" | grep '\.h$' || true)
	# shellcheck disable=SC2086
	kdoc_before=$(kdoc $hfiles)

	goto "$c"
	! echo "$kfiles" | grep -q 'Kconfig' || configure

	# The series' files that include a header the patch changes are
	# rebuilt and checked too.
	rebuild=$cfiles
	for h in $hfiles; do
		rebuild="$rebuild $(includers "$h")"
	done
	rebuild=$(echo $rebuild | tr ' ' '\n' | sort -u)
	for f in $rebuild; do
		[ -f "$tree/$f" ] && touch "$tree/$f"
	done

	targets=vmlinux
	! grep -q '^CONFIG_MODULES=y' "$out/.config" || targets="vmlinux modules"
	# shellcheck disable=SC2086
	kmake -j"${JOBS:-2}" $targets > "$logs/$i.log" 2>&1 || {
		tail -n 30 "$logs/$i.log"
		die "$title does not build for $arch (log: $logs/$i.log)"
	}
	t1=$(date +%s)

	# W=1, sparse and kernel-doc: the parent's records against the patch's
	# shellcheck disable=SC2046,SC2086
	objs=$(objects $rebuild)
	# shellcheck disable=SC2086
	before=$(warnings $objs)
	# shellcheck disable=SC2086
	w1 "$i-w1" $objs
	# shellcheck disable=SC2086
	after=$(warnings $objs)
	# shellcheck disable=SC2086
	kdoc_after=$(kdoc $hfiles)
	nb=$(printf '%s\n%s' "$before" "$kdoc_before" | grep -c . || true)
	na=$(printf '%s\n%s' "$after" "$kdoc_after" | grep -c . || true)
	say "$title: built in $((t1 - t0)) s; W=1/sparse/kernel-doc warnings $nb -> $na in $(echo $objs $hfiles | wc -w) files ($(($(date +%s) - t1)) s)"
	if [ "$na" -gt "$nb" ]; then
		grew=1
		say "$title: new warnings:"
		# the lines of the patch's logs whose message the parent did not have
		printf '%s\n%s\n' "$before" "$kdoc_before" | grep . > "$logs/old" || true
		for o in $objs; do
			cat "$logs/w/$(echo "$o" | tr / %)" 2>/dev/null
		done | sort -u | while read -r line; do
			key=$(echo "$line" | sed 's/^\([^:]*\):[0-9]*:[0-9:]*/\1:/')
			grep -qxF "$key" "$logs/old" || echo "    $line"
		done
		for h in $hfiles; do
			[ -f "$tree/$h" ] && "$tree/scripts/kernel-doc" -none "$tree/$h" 2>&1 |
				sed "s|^$tree/|    |"
		done
	fi
done
restore
trap - EXIT
[ $grew = 0 ] || die "a patch adds W=1, sparse or kernel-doc warnings for $arch (see above)"
say "all $total patches build for $arch, and none adds a W=1, sparse or kernel-doc warning"
