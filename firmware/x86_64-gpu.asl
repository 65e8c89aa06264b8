/*
 * Firmware description of the emulated Grace Hopper GPUs on x86_64.
 *
 * QEMU's q35 DSDT already names one device object per populated root-bus
 * slot, \_SB.PCI0.Sxx with xx = devfn in hex, and Linux binds each PCI
 * function to that object. This SSDT only adds device properties (_DSD,
 * UUID daffd814-6eba-4d8c-8a91-bc9bbf4aa301) to those objects; a second
 * Device() with the same _ADR would be ignored. scripts/boot.sh compiles
 * it with iasl and passes it with -acpitable.
 *
 *   slot 3 (S18)  good GPU: 384 MiB at 0x60000000, in the hole mem=1536M
 *                 leaves in a -m 2G guest (no struct page behind it)
 *   slot 4 (S20)  no properties at all: a plain vfio-pci device
 *   slot 5 (S28)  size 0
 *   slot 6 (S30)  base not page aligned
 *   slot 7 (S38)  base + size overflows 64 bits
 *   slot 8 (S40)  base only, no size
 *   slot 9        a PCIe root port (S48) with a GPU behind it (S00,
 *                 0000:01:00.0): 48 MiB at 0x78000000. Alone on its bus,
 *                 it can be reset (secondary bus reset), which the edu
 *                 functions on the root bus cannot.
 *   slot a (S50)  16 MiB at 0x1000000: System RAM, not GPU memory
 *   slot b (S58)  the memory of slot 3 again, which slot 3 has claimed
 *   slot c (S60)  2 MiB at 1 TiB: beyond the 40 physical address bits of
 *                 QEMU's TCG x86 CPUs
 *   slot d (S68)  valid: 2 MiB at 0x7e000000, but the function (a
 *                 pci-testdev) implements BAR2
 *
 * Integers are 64 bits wide only because scripts/boot.sh upgrades QEMU's
 * DSDT to revision 2: with QEMU's revision 1 DSDT, ACPICA would truncate
 * every AML integer, ours included, to 32 bits.
 */
DefinitionBlock ("", "SSDT", 2, "NVGRAC", "GPUMEM", 1)
{
	External (\_SB.PCI0.S18, DeviceObj)
	External (\_SB.PCI0.S28, DeviceObj)
	External (\_SB.PCI0.S30, DeviceObj)
	External (\_SB.PCI0.S38, DeviceObj)
	External (\_SB.PCI0.S40, DeviceObj)
	External (\_SB.PCI0.S48.S00, DeviceObj)
	External (\_SB.PCI0.S50, DeviceObj)
	External (\_SB.PCI0.S58, DeviceObj)
	External (\_SB.PCI0.S60, DeviceObj)
	External (\_SB.PCI0.S68, DeviceObj)

	Scope (\_SB.PCI0.S18)
	{
		Name (_DSD, Package () {
			ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
			Package () {
				Package () { "nvidia,gpu-mem-base-pa", 0x60000000 },
				Package () { "nvidia,gpu-mem-size", 0x18000000 },
			}
		})
	}

	Scope (\_SB.PCI0.S28)
	{
		Name (_DSD, Package () {
			ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
			Package () {
				Package () { "nvidia,gpu-mem-base-pa", 0x60000000 },
				Package () { "nvidia,gpu-mem-size", 0 },
			}
		})
	}

	Scope (\_SB.PCI0.S30)
	{
		Name (_DSD, Package () {
			ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
			Package () {
				Package () { "nvidia,gpu-mem-base-pa", 0x60000800 },
				Package () { "nvidia,gpu-mem-size", 0x18000000 },
			}
		})
	}

	Scope (\_SB.PCI0.S38)
	{
		Name (_DSD, Package () {
			ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
			Package () {
				Package () { "nvidia,gpu-mem-base-pa", 0xfffffffffffff000 },
				Package () { "nvidia,gpu-mem-size", 0x2000 },
			}
		})
	}

	Scope (\_SB.PCI0.S40)
	{
		Name (_DSD, Package () {
			ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
			Package () {
				Package () { "nvidia,gpu-mem-base-pa", 0x60000000 },
			}
		})
	}

	/*
	 * The function behind the PCIe root port at slot 9, 0000:01:00.0:
	 * QEMU names it S00 in the port's S48.
	 */
	Scope (\_SB.PCI0.S48.S00)
	{
		Name (_DSD, Package () {
			ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
			Package () {
				Package () { "nvidia,gpu-mem-base-pa", 0x78000000 },
				Package () { "nvidia,gpu-mem-size", 0x03000000 },
			}
		})
	}

	Scope (\_SB.PCI0.S50)
	{
		Name (_DSD, Package () {
			ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
			Package () {
				Package () { "nvidia,gpu-mem-base-pa", 0x01000000 },
				Package () { "nvidia,gpu-mem-size", 0x01000000 },
			}
		})
	}

	Scope (\_SB.PCI0.S58)
	{
		Name (_DSD, Package () {
			ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
			Package () {
				Package () { "nvidia,gpu-mem-base-pa", 0x60000000 },
				Package () { "nvidia,gpu-mem-size", 0x18000000 },
			}
		})
	}

	Scope (\_SB.PCI0.S60)
	{
		Name (_DSD, Package () {
			ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
			Package () {
				Package () { "nvidia,gpu-mem-base-pa", 0x10000000000 },
				Package () { "nvidia,gpu-mem-size", 0x00200000 },
			}
		})
	}

	Scope (\_SB.PCI0.S68)
	{
		Name (_DSD, Package () {
			ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
			Package () {
				Package () { "nvidia,gpu-mem-base-pa", 0x7e000000 },
				Package () { "nvidia,gpu-mem-size", 0x00200000 },
			}
		})
	}
}
