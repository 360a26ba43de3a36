"""Network-namespace test harness: containerlab topologies brought up as
namespaces and veth pairs, BGP daemons (BIRD, FRR, GoBGP, ExaBGP, our bgpd)
started inside them from one description, sessions and routes checked
through each daemon's own CLI. See docs/testing.md.

  topology  load + validate *.clab.yml      lab      Lab (context manager)
  model     Speaker, Neighbor, Route, ...   daemons  one adapter per daemon
  netns     namespaces, veths, stale runs   process  processes and waiting
"""
