// registrar-seed: a Go service that follows the seed article's pattern with etcd's own client,
// used by the tests to prove that Registrar's registry interoperates with it.
//
//	registrar-seed register -endpoints URLS -key KEY -value JSON -ttl SECONDS
//	    Grant a lease, Put the key with it, consume KeepAlive; on SIGTERM revoke and exit 0.
//	registrar-seed discover -endpoints URLS -prefix PREFIX
//	    Get the prefix, then Watch from the Get's revision + 1; a key changes only for a newer
//	    ModRevision. Prints "+ key version=V weight=W" and "- key", one line per change.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// instance is what a consumer of the seed's pattern reads from a value.
type instance struct {
	Version string `json:"version"`
	Weight  *int   `json:"weight"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: registrar-seed register|discover [flags]")
		os.Exit(2)
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	endpoints := flags.String("endpoints", "http://127.0.0.1:2379", "comma-separated etcd URLs")
	key := flags.String("key", "", "register: the key")
	value := flags.String("value", "", "register: the JSON value")
	ttl := flags.Int64("ttl", 10, "register: the lease TTL in seconds")
	prefix := flags.String("prefix", "/services/", "discover: the prefix to watch")
	flags.Parse(os.Args[2:])

	client, err := clientv3.New(clientv3.Config{Endpoints: strings.Split(*endpoints, ","), DialTimeout: 5 * time.Second})
	if err != nil {
		fail(err)
	}
	defer client.Close()
	switch os.Args[1] {
	case "register":
		register(client, *key, *value, *ttl)
	case "discover":
		discover(client, *prefix)
	default:
		fail(fmt.Errorf("unknown command %q", os.Args[1]))
	}
}

func register(client *clientv3.Client, key, value string, ttl int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	lease, err := client.Grant(ctx, ttl)
	cancel()
	if err != nil {
		fail(err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	_, err = client.Put(ctx, key, value, clientv3.WithLease(lease.ID))
	cancel()
	if err != nil {
		fail(err)
	}
	renewals, err := client.KeepAlive(context.Background(), lease.ID)
	if err != nil {
		fail(err)
	}
	go func() {
		for range renewals {
			// Consumed, or the client's buffer fills and renewals stop.
		}
	}()
	fmt.Printf("registered %s lease %x\n", key, lease.ID)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	_, err = client.Revoke(ctx, lease.ID)
	cancel()
	if err != nil {
		fail(err)
	}
	fmt.Printf("revoked lease %x\n", lease.ID)
}

func discover(client *clientv3.Client, prefix string) {
	revisions := map[string]int64{}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	read, err := client.Get(ctx, prefix, clientv3.WithPrefix())
	cancel()
	if err != nil {
		fail(err)
	}
	for _, kv := range read.Kvs {
		revisions[string(kv.Key)] = kv.ModRevision
		added(string(kv.Key), kv.Value)
	}
	fmt.Printf("synced at revision %d\n", read.Header.Revision)
	for response := range client.Watch(context.Background(), prefix, clientv3.WithPrefix(),
		clientv3.WithRev(read.Header.Revision+1)) {
		if err := response.Err(); err != nil {
			fail(err) // a compaction: the seed's pattern would Get again; the tests never compact here
		}
		for _, event := range response.Events {
			k := string(event.Kv.Key)
			if event.Kv.ModRevision <= revisions[k] {
				continue // not newer than what we hold
			}
			revisions[k] = event.Kv.ModRevision
			if event.Type == mvccpb.DELETE {
				fmt.Printf("- %s\n", k)
			} else {
				added(k, event.Kv.Value)
			}
		}
	}
}

func added(key string, value []byte) {
	var i instance
	if err := json.Unmarshal(value, &i); err != nil {
		fmt.Printf("! %s %v\n", key, err)
		return
	}
	weight := 100
	if i.Weight != nil {
		weight = *i.Weight
	}
	fmt.Printf("+ %s version=%s weight=%d\n", key, i.Version, weight)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "registrar-seed:", err)
	os.Exit(1)
}
