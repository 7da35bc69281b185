// etcd for the API server under test: the same server as etcd's own `etcd` program, built at the
// version Kubernetes itself is tested with, because Debian's etcd 3.4 is older than it supports.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
