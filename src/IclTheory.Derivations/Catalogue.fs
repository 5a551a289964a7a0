/// Every claim the registry knows, by id.
module IclTheory.Derivations.Catalogue

/// All claims, in the order they are listed in reports.
let all: Claim list =
    IsoClaims.all
    @ FsClaims.all
    @ RrsClaims.all
    @ StructuredSimClaims.all
    @ [ AttentionClaims.result9Simulation; AttentionClaims.result9SimulationRrs ]
    @ TwoPointClaims.all
    @ ChinchillaClaims.all
    @ ExponentClaims.all

/// The claims with the given ids and everything they depend on; raises on an unknown id.
let select (ids: string list) =
    let byId = all |> List.map (fun c -> c.Id, c) |> Map.ofList

    let rec close (acc: Set<string>) (id: string) =
        match byId.TryFind id with
        | None -> invalidArg "id" (sprintf "unknown claim id %s (known: %s)" id (String.concat ", " (Map.keys byId)))
        | Some c when acc.Contains id ->
            ignore c
            acc
        | Some c -> c.DependsOn |> List.fold close (acc.Add id)

    let keep = ids |> List.fold close Set.empty
    all |> List.filter (fun c -> keep.Contains c.Id)
