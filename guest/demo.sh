#!/bin/sh
# Placeholder demo: show the emulated GPUs and their firmware nodes.
for d in /sys/bus/pci/devices/0000:00:0[3-8].0; do
	g=$(readlink $d/iommu_group)
	echo "${d##*/} $(cat $d/vendor):$(cat $d/device)" \
		"$(cat $d/firmware_node/path) iommu_group ${g##*/}"
done
