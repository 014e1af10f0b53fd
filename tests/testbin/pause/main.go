// Command pause is the sandbox process of every pod on the test node: it holds
// the pod's namespaces, reaps the zombies it inherits as PID 1, and exits on
// SIGINT or SIGTERM, as Kubernetes' own pause container does. The test node
// cannot pull registry.k8s.io/pause, so it runs this, packed into a one-file
// image (tests/support/node_images.py).
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

var version = "dev" // set at link time by tests/testbin/build.sh

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-v" {
		fmt.Println("pause", version)
		return
	}
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range signals {
		if sig != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
