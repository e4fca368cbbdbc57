// The regions a subscription lists (`az account list-locations`) and providers name for their resource types: Azure's
// public regions by name, as clusters' `location` uses them. arcext runs everything in one place whatever a resource's
// location says, so every subscription lists the same ones.
export const AZURE_REGIONS: readonly { name: string; displayName: string; geography: string }[] = [
  { name: 'eastus', displayName: 'East US', geography: 'United States' },
  { name: 'eastus2', displayName: 'East US 2', geography: 'United States' },
  { name: 'westus', displayName: 'West US', geography: 'United States' },
  { name: 'westus2', displayName: 'West US 2', geography: 'United States' },
  { name: 'westus3', displayName: 'West US 3', geography: 'United States' },
  { name: 'centralus', displayName: 'Central US', geography: 'United States' },
  { name: 'southcentralus', displayName: 'South Central US', geography: 'United States' },
  { name: 'northeurope', displayName: 'North Europe', geography: 'Europe' },
  { name: 'westeurope', displayName: 'West Europe', geography: 'Europe' },
  { name: 'uksouth', displayName: 'UK South', geography: 'United Kingdom' },
  { name: 'francecentral', displayName: 'France Central', geography: 'France' },
  { name: 'swedencentral', displayName: 'Sweden Central', geography: 'Sweden' },
  { name: 'canadacentral', displayName: 'Canada Central', geography: 'Canada' },
  { name: 'australiaeast', displayName: 'Australia East', geography: 'Australia' },
  { name: 'japaneast', displayName: 'Japan East', geography: 'Japan' },
  { name: 'southeastasia', displayName: 'Southeast Asia', geography: 'Asia Pacific' },
  { name: 'centralindia', displayName: 'Central India', geography: 'India' },
]
