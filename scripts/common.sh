# Shared helpers for the scripts in this folder. Source it, do not run it.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/BASE"
build=${BUILD:-$top/build}
tree=$build/linux

die() {
	printf '%s: error: %s\n' "${0##*/}" "$*" >&2
	exit 1
}

say() {
	printf '%s: %s\n' "${0##*/}" "$*"
}

# Git identity and dates used for commits the tooling makes itself, so the
# tree it creates is the same on every machine.
tool_git() {
	GIT_AUTHOR_NAME='nvgrace-gpu series tooling' \
	GIT_AUTHOR_EMAIL='tooling@invalid' \
	GIT_COMMITTER_NAME='nvgrace-gpu series tooling' \
	GIT_COMMITTER_EMAIL='tooling@invalid' \
	GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' \
	GIT_COMMITTER_DATE='2000-01-01T00:00:00Z' \
	git -C "$tree" "$@"
}

# ccache_env: the compiler cache of the kernel builds is ccache's own
# (CCACHE_DIR if set, else ccache's default, ~/.cache/ccache, and its
# default 5 GB limit: the x86_64 guest kernel fills 43 MB), outside the
# clone, so that every clone on the machine and CI share it. ccache keys
# on the compiler, its flags and the preprocessed source, so a shared cache
# cannot change what is built, only how fast. CCACHE_BASEDIR makes this
# clone's absolute paths relative in that key, so that a clone at another
# path hits the same entries.
ccache_env() {
	export CCACHE_BASEDIR="$top"
}
