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
