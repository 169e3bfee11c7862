#!/usr/bin/env pwsh
# Thin wrapper over dotnet commands; every target below is also a plain `dotnet` command (see README).
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'run', 'bench', 'pack')]
    [string] $Target = 'build',
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

switch ($Target) {
    'build' { dotnet build GrpcMesh.sln -c $Configuration }
    'test'  { dotnet test GrpcMesh.sln -c $Configuration }
    'run'   { dotnet run --project services/GrpcMesh.Launcher -c $Configuration }
    'bench' { dotnet run --project bench/GrpcMesh.LoadTest -c Release }
    'pack'  { dotnet pack GrpcMesh.sln -c Release -o artifacts/feed }
}
exit $LASTEXITCODE
