# mk/cockpit.mk - the Cockpit page (cockpit/, doc/COCKPIT.md).
#
# cockpit/dist/ is built from cockpit/src/ by esbuild (cockpit/build.js) and
# committed: packages ship it, and neither `make` nor CI needs node. `make`
# rebuilds it only when the sources changed (cockpit/dist/SOURCES, their
# sha256, differs) and node is installed; without node it says so and goes
# on. tests/cli/cockpit_dist.sh fails when dist/ is not the build of src/.
COCKPIT_DIR   ?= $(DATADIR)/cockpit/apikey
COCKPIT_FILES := index.html index.js index.css manifest.json
COCKPIT_SUMS  = cd cockpit && LC_ALL=C sha256sum src/* build.js package.json package-lock.json

.PHONY: cockpit cockpit-force cockpit-pot install-cockpit uninstall-cockpit
all: cockpit

cockpit:
	@if [ ! -d cockpit/src ]; then :; elif [ "$$($(COCKPIT_SUMS))" = "$$(cat cockpit/dist/SOURCES 2>/dev/null)" ]; then :; \
	elif command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory cockpit-force; \
	else echo "cockpit: cockpit/dist is older than cockpit/src; install node and npm to rebuild it"; fi

cockpit-force:
	cd cockpit && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && node build.js
	$(COCKPIT_SUMS) >dist/SOURCES

# The translation template, from the strings the page passes to _().
cockpit-pot:
	xgettext --language=JavaScript --from-code=UTF-8 --keyword=_ --keyword=gettext \
	  --keyword=ngettext:1,2 --add-comments=TRANSLATORS --package-name=cockpit-apikey \
	  --output=cockpit/po/apikey.pot cockpit/src/*.js

install-cockpit:
	install -d -m 0755 $(DESTDIR)$(COCKPIT_DIR)
	for f in $(COCKPIT_FILES); do install -m 0644 cockpit/dist/$$f $(DESTDIR)$(COCKPIT_DIR)/$$f; done

uninstall-cockpit:
	for f in $(COCKPIT_FILES); do rm -f $(DESTDIR)$(COCKPIT_DIR)/$$f; done
	-rmdir $(DESTDIR)$(COCKPIT_DIR)
