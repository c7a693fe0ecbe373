// Command bench-load is the load benchmark (`make bench-load`, see README.md "Load
// benchmark" and package internal/benchload). Run it from the repository root.
package main

import (
	"fmt"
	"os"

	"github.com/profilegraph/profilegraph/internal/benchload"
)

func main() {
	if err := benchload.Main(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench-load:", err)
		os.Exit(1)
	}
}
