from jobserver_client.cli.app import main

main()
