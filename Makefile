# Convenience targets; the scripts are what the README and CI run.
.PHONY: run test setup build windows headless clean

run:        ## build and run (window with a display, headless otherwise)
	bash scripts/run.sh

test:       ## every test: static checks, unit, race, mDNS, browser e2e, window smoke
	bash scripts/test.sh

setup:      ## install system packages, Wails CLI, npm packages
	bash scripts/setup.sh

build:      ## the Linux desktop binary: build/bin/signalbox
	PATH="$$(go env GOPATH)/bin:$$PATH" wails build -m

windows:    ## the Windows binary: build/bin/signalbox.exe
	bash scripts/build-windows.sh

headless:   ## a plain Go build that always runs headless (no GTK needed)
	cd frontend && npm run build
	go build -o signalbox .

clean:
	rm -rf build/bin test-artifacts signalbox
