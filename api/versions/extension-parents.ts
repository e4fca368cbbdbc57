// The parent `{clusterRp}/{clusterResourceName}` pairs (lower-case) extensions api-versions admit: the path enums of
// 2021-09-01; from 2022-03-01 the common parameters are free strings, and Azure accepts `appliances` from 2022-11-01.

export const TWO_PARENTS = ['microsoft.kubernetes/connectedclusters', 'microsoft.containerservice/managedclusters']
export const THREE_PARENTS = [...TWO_PARENTS, 'microsoft.hybridcontainerservice/provisionedclusters']
export const FOUR_PARENTS = [...THREE_PARENTS, 'microsoft.resourceconnector/appliances']
